package dept.prep.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads raw lines (LF or CRLF) from a stream without decoding them, so that invalid UTF-8 and
 * binary bytes can be reported per line. A line longer than the limit is skipped, not buffered:
 * its length and first bytes are kept so it can be rejected with a location and a preview.
 */
final class LineReader {

  private static final int PREVIEW = 1024;

  private final InputStream in;
  private final int maxBytes;
  private byte[] buf = new byte[8192];
  private final byte[] chunk = new byte[65536];
  private int chunkPos;
  private int chunkLen;
  private long lineNumber;

  /** The current line: {@link #bytes} holds {@link #length} bytes unless {@link #oversized}. */
  byte[] bytes;

  int length;
  long fullLength;
  boolean oversized;

  LineReader(InputStream in, int maxBytes) {
    this.in = in;
    this.maxBytes = maxBytes;
  }

  /** 1-based number of the current line. */
  long lineNumber() {
    return lineNumber;
  }

  /** Advances to the next line; false at end of stream. */
  boolean next() throws IOException {
    length = 0;
    fullLength = 0;
    oversized = false;
    boolean any = false;
    while (true) {
      if (chunkPos == chunkLen) {
        chunkLen = in.read(chunk);
        chunkPos = 0;
        if (chunkLen <= 0) {
          chunkLen = 0;
          if (!any) {
            return false;
          }
          break;
        }
      }
      any = true;
      int start = chunkPos;
      while (chunkPos < chunkLen && chunk[chunkPos] != '\n') {
        chunkPos++;
      }
      append(start, chunkPos - start);
      if (chunkPos < chunkLen) {
        chunkPos++; // the newline
        break;
      }
    }
    if (!oversized && length > 0 && buf[length - 1] == '\r') {
      length--;
      fullLength--;
    }
    lineNumber++;
    bytes = buf;
    return true;
  }

  private void append(int from, int n) {
    fullLength += n;
    int keep = oversized ? 0 : n;
    if (!oversized && length + n > maxBytes) {
      oversized = true;
      keep = Math.max(0, Math.min(n, PREVIEW - length));
    }
    if (keep > 0) {
      if (length + keep > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, length + keep));
      }
      System.arraycopy(chunk, from, buf, length, keep);
      length += keep;
    }
  }
}
