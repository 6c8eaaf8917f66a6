package dept.prep.ingest;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How the lines of line-format inputs (jsonl, text-lines) reach every core when there are fewer
 * such inputs than cores. A gzip file cannot be split, so one task would read, decode and parse it
 * while the other cores idle.
 */
public enum LineSpreading {
  /**
   * With at least two cores per line-format input: bzip2 inputs are read in byte ranges, one task
   * each (Hadoop splits bzip2 between its blocks), the others as {@link #REREAD}; else {@link
   * #NEVER}.
   */
  @JsonProperty("auto")
  AUTO,
  /**
   * Each input is read whole by {@code cores / inputs} tasks, each keeping the lines whose number
   * is its share modulo that count: no line crosses the network, but the input is read and
   * decompressed once per task (cheap for gzip; for bzip2 on many cores, or an input behind a slow
   * network link, {@link #SHUFFLE} reads it once).
   */
  @JsonProperty("reread")
  REREAD,
  /** One task reads each input and cuts its lines, which are hash-spread over every core (one shuffle of the raw bytes). */
  @JsonProperty("shuffle")
  @JsonAlias("always")
  SHUFFLE,
  /** Each input is decoded and parsed in the one task that reads it. */
  @JsonProperty("never")
  NEVER;

  /** What this setting does with {@code inputs} line-format inputs on {@code cores} cores ({@link #AUTO}: spread them). */
  LineSpreading resolve(int inputs, int cores) {
    return this == AUTO && cores / inputs < 2 ? NEVER : this;
  }

  /** Under {@link #REREAD}: how many tasks read each input (at least two when it is asked for). */
  static int readersPerInput(int inputs, int cores) {
    return Math.max(2, cores / inputs);
  }
}
