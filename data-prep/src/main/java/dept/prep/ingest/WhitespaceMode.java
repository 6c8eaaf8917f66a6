package dept.prep.ingest;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Whitespace handling of {@link TextNormalizer}. */
public enum WhitespaceMode {
  /** Prose: runs of spaces and tabs become one space, at most one blank line in a row. */
  @JsonProperty("collapse")
  COLLAPSE,
  /** Code: indentation and blank lines stay as written; only trailing spaces go. */
  @JsonProperty("preserve")
  PRESERVE
}
