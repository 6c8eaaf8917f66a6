package dept.prep.ingest;

/**
 * One line of a line-format input as read, before it is decoded or parsed, so that a one-task
 * input (a gzip file) can hand its lines to other tasks for the costly work; or an event of the
 * whole file (unreadable from some line on, or empty).
 *
 * @param line 1-based line number; for a failure, the line it happened at (-1: the whole file)
 * @param bytes the line without its line end; for an oversized line, only its first bytes
 * @param fullLength the line's length in bytes (above the limit when only a preview is kept)
 * @param failure the file-level reason, or null for a line
 * @param message what went wrong, for a failure
 */
public record LineFrame(long line, byte[] bytes, long fullLength, RejectReason failure, String message) {

  static LineFrame of(long line, byte[] bytes, long fullLength) {
    return new LineFrame(line, bytes, fullLength, null, null);
  }

  static LineFrame failed(long line, RejectReason failure, String message) {
    return new LineFrame(line, null, 0, failure, message);
  }
}
