package dept.jobs.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one table {@code dept bench} ends with: every benchmark's headline figures next to the peer
 * measured in the same run, and their ratio oriented so that above 1 favours dept-spark.
 */
public final class BenchSummary {

  /**
   * @param peer the peer's figure (NaN: no peer, a scaling or absolute row)
   * @param higherIsBetter whether a larger figure is better (throughput) or worse (time)
   */
  public record Row(String benchmark, String figure, double ours, String peerName, double peer, boolean higherIsBetter, String note) {

    public double ratio() {
      if (Double.isNaN(peer) || peer == 0 || ours == 0) {
        return Double.NaN;
      }
      return higherIsBetter ? ours / peer : peer / ours;
    }
  }

  private final List<Row> rows = new ArrayList<>();

  /** A figure with its peer. */
  public void add(String benchmark, String figure, double ours, String peerName, double peer, boolean higherIsBetter) {
    rows.add(new Row(benchmark, figure, ours, peerName, peer, higherIsBetter, ""));
  }

  /** A figure without a peer (scaling rows, absolute costs). */
  public void add(String benchmark, String figure, double ours, String note) {
    rows.add(new Row(benchmark, figure, ours, "", Double.NaN, true, note));
  }

  /** A benchmark that did not run, and why. */
  public void skipped(String benchmark, String why) {
    rows.add(new Row(benchmark, "skipped: " + why, Double.NaN, "", Double.NaN, true, ""));
  }

  public List<Row> rows() {
    return List.copyOf(rows);
  }

  /** The table as Markdown. */
  public String markdown() {
    StringBuilder b = new StringBuilder("| benchmark | figure | dept | peer | peer figure | dept vs peer |\n"
        + "| --- | --- | ---: | --- | ---: | ---: |\n");
    for (Row r : rows) {
      b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", r.benchmark(), r.figure(), number(r.ours()),
          r.peerName().isEmpty() ? r.note() : r.peerName(), number(r.peer()),
          Double.isNaN(r.ratio()) ? "" : String.format(Locale.ROOT, "%.2fx", r.ratio())));
    }
    return b.append("\n\"dept vs peer\" above 1 favours dept-spark (more per second, less time, more bytes per token); "
        + "against a hardware peak it is the fraction reached.\n").toString();
  }

  private static String number(double v) {
    if (Double.isNaN(v)) {
      return "";
    }
    double a = Math.abs(v);
    return String.format(Locale.ROOT, a >= 1000 ? "%,.0f" : a >= 10 ? "%.1f" : "%.3g", v);
  }
}
