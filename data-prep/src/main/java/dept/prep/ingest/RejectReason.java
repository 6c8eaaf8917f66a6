package dept.prep.ingest;

import java.util.Locale;

/** Why a record went to {@code rejects} instead of {@code documents}. Stored by {@link #code()}. */
public enum RejectReason {
  INVALID_UTF8,
  BINARY,
  RECORD_TOO_LARGE,
  EMPTY_FILE,
  UNREADABLE_FILE,
  MALFORMED_JSON,
  MISSING_FIELD,
  BAD_FIELD_TYPE,
  EMPTY,
  TOO_SHORT,
  DUPLICATE;

  /** The lower-case name stored in the {@code reason} column, e.g. {@code invalid_utf8}. */
  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }
}
