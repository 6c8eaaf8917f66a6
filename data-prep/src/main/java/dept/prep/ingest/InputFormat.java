package dept.prep.ingest;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How the files of a source are read into records. */
public enum InputFormat {
  /** One JSON object per line; the document is a string field, other fields can filter. */
  @JsonProperty("jsonl")
  JSONL,
  /** One document per non-blank line. */
  @JsonProperty("text-lines")
  TEXT_LINES,
  /** One document per file. */
  @JsonProperty("text-files")
  TEXT_FILES,
  /** A string column of Parquet files; other columns can filter. */
  @JsonProperty("parquet")
  PARQUET;

  /** Whether records of this format carry fields that a source filter can test. */
  public boolean hasFields() {
    return this == JSONL || this == PARQUET;
  }
}
