package dept.prep.ingest;

/**
 * One record as read from an input, before cleaning: either text or a reject reason.
 *
 * @param source the source it was routed to; {@link #UNATTRIBUTED} when it was rejected before a
 *     source could be chosen (e.g. malformed JSON in an input several sources filter); null when it
 *     matched no source's filter (counted, not rejected)
 * @param file the input file
 * @param line 1-based line in the file; -1 for whole-file records; for Parquet, Spark's record id
 *     (unique, not a row number)
 * @param text the document, when the record was read cleanly
 * @param reason why it was rejected, otherwise null
 * @param raw a truncated preview of the bad bytes, for rejects
 */
public record RawRecord(
    String source, String file, long line, String text, RejectReason reason, String raw) {

  public static final String UNATTRIBUTED = "*";

  static RawRecord ok(String source, String file, long line, String text) {
    return new RawRecord(source, file, line, text, null, null);
  }

  static RawRecord rejected(String source, String file, long line, RejectReason reason, String raw) {
    return new RawRecord(source, file, line, null, reason, raw);
  }

  static RawRecord unrouted(String file, long line) {
    return new RawRecord(null, file, line, null, null, null);
  }

  public static String location(String file, long line) {
    return line < 0 ? file : file + ":" + line;
  }
}
