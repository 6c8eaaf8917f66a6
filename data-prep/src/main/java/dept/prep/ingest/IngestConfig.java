package dept.prep.ingest;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Settings of the ingest stage.
 *
 * @param sources the data sources, each with its inputs and cleaning
 * @param minChars documents shorter than this (after normalisation) are rejected as too short
 * @param maxChars longer documents are split into pieces of at most this many chars, not dropped
 * @param maxRecordBytes a line (or file, for text-files) longer than this is rejected unread
 * @param valFraction fraction of documents put in the validation split, by content hash
 * @param spreadLines whether lines of line-format inputs are spread over every core before they
 *     are parsed (default {@code auto}: when there are fewer such inputs than cores)
 */
public record IngestConfig(
    List<SourceSpec> sources, Integer minChars, Integer maxChars, Long maxRecordBytes, Double valFraction,
    LineSpreading spreadLines) {

  public IngestConfig(List<SourceSpec> sources, Integer minChars, Integer maxChars, Long maxRecordBytes, Double valFraction) {
    this(sources, minChars, maxChars, maxRecordBytes, valFraction, null);
  }

  public IngestConfig {
    if (sources == null || sources.isEmpty()) {
      throw new IllegalArgumentException("sources must declare at least one source");
    }
    Set<String> names = new HashSet<>();
    for (SourceSpec s : sources) {
      if (!names.add(s.name())) {
        throw new IllegalArgumentException("sources: the name '" + s.name() + "' is used twice");
      }
    }
    sources = List.copyOf(sources);
    minChars = minChars == null ? 16 : minChars;
    maxChars = maxChars == null ? 16_384 : maxChars;
    maxRecordBytes = maxRecordBytes == null ? 8L << 20 : maxRecordBytes;
    valFraction = valFraction == null ? 0.05 : valFraction;
    spreadLines = spreadLines == null ? LineSpreading.AUTO : spreadLines;
    if (minChars < 1) {
      throw new IllegalArgumentException("min_chars must be >= 1, got " + minChars);
    }
    if (maxChars < 2 * minChars || maxChars < 64) {
      throw new IllegalArgumentException(
          "max_chars must be >= 64 and >= 2 x min_chars, got " + maxChars);
    }
    if (maxRecordBytes < 1024 || maxRecordBytes > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException(
          "max_record_bytes must be in [1024, 2^31 - 17], got " + maxRecordBytes);
    }
    if (!(valFraction >= 0.0 && valFraction < 1.0)) {
      throw new IllegalArgumentException("val_fraction must be in [0, 1), got " + valFraction);
    }
  }

  public SourceSpec source(String name) {
    return sources.stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no source named '" + name + "'"));
  }
}
