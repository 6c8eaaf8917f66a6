package dept.prep.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns the bytes of one jsonl, text-lines or text-files input into {@link RawRecord}s. Every
 * record read comes out exactly once per source it belongs to, as text or as a reject: nothing is
 * dropped silently. An input that yields no record at all comes out as one {@code empty_file}.
 */
public final class RecordExtractor {

  static final int PREVIEW_CHARS = 1000;

  private final int maxRecordBytes;
  private final ObjectMapper json = new ObjectMapper();

  public RecordExtractor(long maxRecordBytes) {
    this.maxRecordBytes = (int) maxRecordBytes;
  }

  /** All records of one input, in file order, in one pass (the stream is closed by the caller). */
  public void extract(FileTask task, InputStream in, Consumer<RawRecord> out) {
    records(task, in).forEachRemaining(out);
  }

  /**
   * The records of one input, read lazily so a large input never sits in memory; a line that
   * feeds several sources gives one record per source.
   */
  public Iterator<RawRecord> records(FileTask task, InputStream in) {
    if (task.format() == InputFormat.TEXT_FILES) {
      return wholeFile(task, in);
    }
    return new FlatIterator<LineFrame, RawRecord>(frames(in), (frame, out) -> fromFrame(task, frame, out::add));
  }

  /**
   * The non-blank lines of a line-format input as bytes, in file order; a read failure ends them
   * with an {@code unreadable_file} frame, and an input without a non-blank line is one
   * {@code empty_file} frame. Every non-blank line gives at least one record in {@link #fromFrame}.
   */
  public Iterator<LineFrame> frames(InputStream in) {
    return new Iterator<>() {
      private final LineReader lines = new LineReader(in, maxRecordBytes);
      private LineFrame pending;
      private long emitted;
      private boolean done;

      @Override
      public boolean hasNext() {
        while (pending == null && !done) {
          fill();
        }
        return pending != null;
      }

      @Override
      public LineFrame next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        LineFrame f = pending;
        pending = null;
        emitted++;
        return f;
      }

      private void fill() {
        try {
          if (!lines.next()) {
            done = true;
          } else if (lines.oversized || !isBlank(lines.bytes, lines.length)) { // a blank line separates, it is no record
            pending = LineFrame.of(lines.lineNumber(), Arrays.copyOf(lines.bytes, lines.length), lines.fullLength);
          }
        } catch (IOException | RuntimeException e) {
          done = true;
          pending =
              LineFrame.failed(
                  lines.lineNumber() + 1, RejectReason.UNREADABLE_FILE, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        if (done && emitted == 0 && pending == null) {
          pending = LineFrame.failed(-1, RejectReason.EMPTY_FILE, "");
        }
      }
    };
  }

  /** The records of one frame of {@code task}'s input: one per source it feeds, as text or reject. */
  public void fromFrame(FileTask task, LineFrame frame, Consumer<RawRecord> out) {
    long n = frame.line();
    if (frame.failure() != null) {
      out.accept(RawRecord.rejected(task.owner(), task.path(), n, frame.failure(), frame.message()));
      return;
    }
    byte[] bytes = frame.bytes();
    if (frame.fullLength() > maxRecordBytes) {
      out.accept(
          RawRecord.rejected(
              task.owner(),
              task.path(),
              n,
              RejectReason.RECORD_TOO_LARGE,
              frame.fullLength() + " bytes > max_record_bytes " + maxRecordBytes + ": "
                  + Utf8.preview(bytes, bytes.length, 200)));
      return;
    }
    String text = checkedText(task, bytes, bytes.length, n, out);
    if (text == null) {
      return;
    }
    if (task.format() == InputFormat.TEXT_LINES) {
      task.sources().forEach(s -> out.accept(RawRecord.ok(s.name(), task.path(), n, text)));
    } else {
      jsonRecord(task, text, n, out);
    }
  }

  /** A text-files input: the whole file is one record (or an empty_file / unreadable_file reject). */
  private Iterator<RawRecord> wholeFile(FileTask task, InputStream in) {
    List<RawRecord> out = new ArrayList<>(task.sources().size());
    try {
      wholeFile(task, in, out::add);
    } catch (IOException | RuntimeException e) {
      out.add(
          RawRecord.rejected(
              task.owner(), task.path(), -1, RejectReason.UNREADABLE_FILE,
              e.getClass().getSimpleName() + ": " + e.getMessage()));
    }
    if (out.isEmpty()) {
      out.add(RawRecord.rejected(task.owner(), task.path(), -1, RejectReason.EMPTY_FILE, ""));
    }
    return out.iterator();
  }

  private void wholeFile(FileTask task, InputStream in, Consumer<RawRecord> out) throws IOException {
    byte[] bytes = in.readNBytes(maxRecordBytes + 1);
    if (bytes.length > maxRecordBytes) {
      out.accept(
          RawRecord.rejected(
              task.owner(),
              task.path(),
              -1,
              RejectReason.RECORD_TOO_LARGE,
              "file > max_record_bytes " + maxRecordBytes + ": " + Utf8.preview(bytes, 200, 200)));
      return;
    }
    if (bytes.length == 0) {
      return; // reported as empty_file by the caller
    }
    String text = checkedText(task, bytes, bytes.length, -1, out);
    if (text != null) {
      task.sources().forEach(s -> out.accept(RawRecord.ok(s.name(), task.path(), -1, text)));
    }
  }

  /** The decoded text, or null after emitting a binary / invalid_utf8 reject. */
  private static String checkedText(
      FileTask task, byte[] bytes, int length, long line, Consumer<RawRecord> out) {
    RejectReason reason = null;
    String text = null;
    if (Utf8.hasNul(bytes, length)) {
      reason = RejectReason.BINARY;
    } else {
      text = Utf8.decodeStrict(bytes, length);
      if (text == null) {
        reason = RejectReason.INVALID_UTF8;
      } else if (line <= 1 && !text.isEmpty() && text.charAt(0) == '\uFEFF') {
        text = text.substring(1); // byte-order mark
      }
    }
    if (reason != null) {
      out.accept(
          RawRecord.rejected(
              task.owner(), task.path(), line, reason, Utf8.preview(bytes, length, PREVIEW_CHARS)));
    }
    return text;
  }

  private void jsonRecord(FileTask task, String line, long n, Consumer<RawRecord> out) {
    JsonNode node;
    try {
      node = json.readTree(line);
    } catch (JsonProcessingException e) {
      node = null;
    }
    if (node == null || !node.isObject()) {
      out.accept(
          RawRecord.rejected(
              task.owner(),
              task.path(),
              n,
              RejectReason.MALFORMED_JSON,
              Utf8.truncate(line, PREVIEW_CHARS)));
      return;
    }
    Map<String, String> fields = new HashMap<>();
    for (SourceSpec s : task.sources()) {
      for (String f : s.filter().keySet()) {
        JsonNode v = node.get(f);
        fields.put(f, v != null && v.isValueNode() && !v.isNull() ? v.asText() : null);
      }
    }
    boolean routed = false;
    for (SourceSpec s : task.sources()) {
      if (!s.accepts(fields)) {
        continue;
      }
      routed = true;
      JsonNode t = node.get(task.textField());
      if (t == null || t.isNull()) {
        out.accept(
            RawRecord.rejected(
                s.name(), task.path(), n, RejectReason.MISSING_FIELD,
                "no field '" + task.textField() + "': " + Utf8.truncate(line, PREVIEW_CHARS)));
      } else if (!t.isTextual()) {
        out.accept(
            RawRecord.rejected(
                s.name(), task.path(), n, RejectReason.BAD_FIELD_TYPE,
                "'" + task.textField() + "' is " + t.getNodeType().name().toLowerCase()
                    + ", not a string: " + Utf8.truncate(line, PREVIEW_CHARS)));
      } else {
        out.accept(RawRecord.ok(s.name(), task.path(), n, t.textValue()));
      }
    }
    if (!routed) {
      out.accept(RawRecord.unrouted(task.path(), n));
    }
  }

  private static boolean isBlank(byte[] b, int length) {
    for (int i = 0; i < length; i++) {
      if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r') {
        return false;
      }
    }
    return true;
  }
}
