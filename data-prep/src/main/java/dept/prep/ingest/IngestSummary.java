package dept.prep.ingest;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What an ingest run did: per-source accounting and statistics, plus records that matched no
 * source's filter. Rendering only; the numbers come from {@link IngestJob#summarize}.
 */
public record IngestSummary(List<SourceStats> sources, long unrouted) {

  public IngestSummary {
    sources = List.copyOf(sources);
  }

  public boolean balanced() {
    return sources.stream().allMatch(SourceStats::balanced);
  }

  public long totalRead() {
    return sources.stream().mapToLong(SourceStats::read).sum();
  }

  public long totalWritten() {
    return sources.stream().mapToLong(SourceStats::written).sum();
  }

  public long totalRejected() {
    return sources.stream().mapToLong(SourceStats::rejectedTotal).sum();
  }

  /** A fixed-width table, one line per source, then the totals. */
  public String table() {
    String fmt = "%-14s %8s %8s %8s %9s %11s  %-10s %s%n";
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT, fmt, "source", "read", "written", "rejected", "documents", "bytes",
            "script", "rejected by reason"));
    for (SourceStats s : sources) {
      out.append(
          String.format(
              Locale.ROOT, fmt, s.source(), s.read(), s.written(), s.rejectedTotal(), s.documents(),
              s.bytes(), s.dominantScript(), reasons(s)));
    }
    out.append(
        String.format(
            Locale.ROOT, fmt, "total", totalRead(), totalWritten(), totalRejected(),
            sources.stream().mapToLong(SourceStats::documents).sum(),
            sources.stream().mapToLong(SourceStats::bytes).sum(), "", ""));
    out.append(
        String.format(
            Locale.ROOT,
            "rows in = out + rejected: %d = %d + %d (%s); %d records matched no source's filter%n",
            totalRead(), totalWritten(), totalRejected(), balanced() ? "balanced" : "NOT BALANCED",
            unrouted));
    return out.toString();
  }

  private static String reasons(SourceStats s) {
    return s.rejected().entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(" "));
  }
}
