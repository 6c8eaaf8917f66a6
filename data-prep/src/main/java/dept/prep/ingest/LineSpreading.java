package dept.prep.ingest;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Whether the lines of line-format inputs (jsonl, text-lines) are handed from the task that reads
 * a file to every core before they are decoded and parsed. A file is read by one task (gzip cannot
 * be split), so with fewer inputs than cores the rest would idle; spreading costs one shuffle of
 * the raw lines.
 */
public enum LineSpreading {
  /** Spread when there are fewer line-format inputs than the cluster has cores. */
  @JsonProperty("auto")
  AUTO,
  /** Always spread (e.g. a few huge files next to many small ones). */
  @JsonProperty("always")
  ALWAYS,
  /** Never: each input is parsed in the task that reads it. */
  @JsonProperty("never")
  NEVER;

  boolean spreads(int inputs, int cores) {
    return this == ALWAYS || (this == AUTO && inputs < cores);
  }
}
