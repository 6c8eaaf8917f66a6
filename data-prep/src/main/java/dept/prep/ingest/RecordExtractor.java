package dept.prep.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
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
    return new Iterator<>() {
      private final ArrayDeque<RawRecord> pending = new ArrayDeque<>();
      private final LineReader lines =
          task.format() == InputFormat.TEXT_FILES ? null : new LineReader(in, maxRecordBytes);
      private long emitted;
      private boolean done;

      @Override
      public boolean hasNext() {
        while (pending.isEmpty() && !done) {
          fill();
        }
        return !pending.isEmpty();
      }

      @Override
      public RawRecord next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        emitted++;
        return pending.poll();
      }

      private void fill() {
        try {
          if (lines == null) {
            wholeFile(task, in, pending::add);
            done = true;
          } else if (lines.next()) {
            oneLine(task, lines, pending::add);
          } else {
            done = true;
          }
        } catch (IOException | RuntimeException e) {
          done = true;
          long at = lines == null ? -1 : lines.lineNumber() + 1;
          pending.add(
              RawRecord.rejected(
                  task.owner(), task.path(), at, RejectReason.UNREADABLE_FILE,
                  e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
        if (done && emitted == 0 && pending.isEmpty()) {
          pending.add(RawRecord.rejected(task.owner(), task.path(), -1, RejectReason.EMPTY_FILE, ""));
        }
      }
    };
  }

  private void oneLine(FileTask task, LineReader lines, Consumer<RawRecord> out) {
    long n = lines.lineNumber();
    if (lines.oversized) {
      out.accept(
          RawRecord.rejected(
              task.owner(),
              task.path(),
              n,
              RejectReason.RECORD_TOO_LARGE,
              lines.fullLength + " bytes > max_record_bytes " + maxRecordBytes + ": "
                  + Utf8.preview(lines.bytes, lines.length, 200)));
      return;
    }
    if (isBlank(lines.bytes, lines.length)) {
      return; // a separator, not a record
    }
    String text = checkedText(task, lines.bytes, lines.length, n, out);
    if (text == null) {
      return;
    }
    if (task.format() == InputFormat.TEXT_LINES) {
      task.sources().forEach(s -> out.accept(RawRecord.ok(s.name(), task.path(), n, text)));
    } else {
      jsonRecord(task, text, n, out);
    }
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
