package dept.prep.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import dept.prep.io.StreamingRows;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Turns the bytes of one jsonl, text-lines or text-files input into {@link RawRecord}s. Every
 * record read comes out exactly once per source it belongs to, as text or as a reject: nothing is
 * dropped silently. An input that yields no record at all comes out as one {@code empty_file}.
 */
public final class RecordExtractor {

  static final int PREVIEW_CHARS = 1000;

  private final int maxRecordBytes;
  private final JsonFactory jsonFactory = new JsonFactory();
  private FileTask lastTask;
  private Set<String> lastFilterFields;

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
    return StreamingRows.<LineFrame, RawRecord>each(frames(in), (frame, out) -> fromFrame(task, frame, out));
  }

  /**
   * The non-blank lines of a line-format input as bytes, in file order; a read failure ends them
   * with an {@code unreadable_file} frame, and an input without a non-blank line is one
   * {@code empty_file} frame. Every non-blank line gives at least one record in {@link #fromFrame}.
   */
  public Iterator<LineFrame> frames(InputStream in) {
    return frames(in, 0, 1);
  }

  /**
   * The frames of {@link #frames(InputStream)} whose line number is {@code share} modulo {@code
   * ways}: several tasks each read the whole input and keep their share, so that together they see
   * every frame once. The file-level frames ({@code unreadable_file}, {@code empty_file}) belong to
   * share 0; the lines of the other shares are cut but never copied.
   */
  public Iterator<LineFrame> frames(InputStream in, int share, int ways) {
    return new Iterator<>() {
      private final LineReader lines = new LineReader(in, maxRecordBytes);
      private LineFrame pending;
      private long seen;
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
        return f;
      }

      private void fill() {
        try {
          if (!lines.next()) {
            done = true;
          } else if (lines.oversized || !isBlank(lines.bytes, lines.length)) { // a blank line separates, it is no record
            seen++;
            if (lines.lineNumber() % ways == share) {
              pending = LineFrame.of(lines.lineNumber(), Arrays.copyOf(lines.bytes, lines.length), lines.fullLength);
            }
          }
        } catch (IOException | RuntimeException e) {
          done = true;
          if (share == 0) {
            pending =
                LineFrame.failed(
                    lines.lineNumber() + 1, RejectReason.UNREADABLE_FILE, e.getClass().getSimpleName() + ": " + e.getMessage());
          }
        }
        if (done && seen == 0 && pending == null && share == 0) {
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
    if (!checked(task, bytes, bytes.length, n, out)) {
      return;
    }
    int from = startsWithBom(bytes, bytes.length, n) ? 3 : 0;
    if (task.format() == InputFormat.TEXT_LINES) {
      String text = new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
      task.sources().forEach(s -> out.accept(RawRecord.ok(s.name(), task.path(), n, text)));
    } else {
      jsonRecord(task, bytes, from, n, out);
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
    if (!checked(task, bytes, length, line, out)) {
      return null;
    }
    int from = startsWithBom(bytes, length, line) ? 3 : 0;
    return new String(bytes, from, length - from, StandardCharsets.UTF_8);
  }

  /** True for text bytes; false after emitting a binary (a NUL byte) or invalid_utf8 reject. */
  private static boolean checked(FileTask task, byte[] bytes, int length, long line, Consumer<RawRecord> out) {
    RejectReason reason =
        Utf8.hasNul(bytes, length) ? RejectReason.BINARY : Utf8.isValid(bytes, length) ? null : RejectReason.INVALID_UTF8;
    if (reason != null) {
      out.accept(
          RawRecord.rejected(
              task.owner(), task.path(), line, reason, Utf8.preview(bytes, length, PREVIEW_CHARS)));
    }
    return reason == null;
  }

  /** A byte-order mark opens the first line (or a whole file) only. */
  private static boolean startsWithBom(byte[] bytes, int length, long line) {
    return line <= 1 && length >= 3 && bytes[0] == (byte) 0xEF && bytes[1] == (byte) 0xBB && bytes[2] == (byte) 0xBF;
  }

  private void jsonRecord(FileTask task, byte[] bytes, int from, long n, Consumer<RawRecord> out) {
    JsonLine json = JsonLine.parse(jsonFactory, bytes, from, bytes.length, task.textField(), filterFields(task));
    if (!json.isObject) {
      out.accept(
          RawRecord.rejected(
              task.owner(), task.path(), n, RejectReason.MALFORMED_JSON, preview(bytes, from)));
      return;
    }
    boolean routed = false;
    for (SourceSpec s : task.sources()) {
      if (!s.accepts(json.fields, json.text)) {
        continue;
      }
      routed = true;
      if (json.text == null && json.textType == null) {
        out.accept(
            RawRecord.rejected(
                s.name(), task.path(), n, RejectReason.MISSING_FIELD,
                "no field '" + task.textField() + "': " + preview(bytes, from)));
      } else if (json.text == null) {
        out.accept(
            RawRecord.rejected(
                s.name(), task.path(), n, RejectReason.BAD_FIELD_TYPE,
                "'" + task.textField() + "' is " + json.textType + ", not a string: " + preview(bytes, from)));
      } else {
        out.accept(RawRecord.ok(s.name(), task.path(), n, json.text));
      }
    }
    if (!routed) {
      out.accept(RawRecord.unrouted(task.path(), n));
    }
  }

  /** The (valid UTF-8) line from {@code from}, cut for a reject's preview. */
  private static String preview(byte[] bytes, int from) {
    return Utf8.truncate(new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8), PREVIEW_CHARS);
  }

  /** The fields any source of {@code task} filters on; cached per task (a task's sources never change). */
  private Set<String> filterFields(FileTask task) {
    if (task != lastTask) {
      Set<String> fields = new HashSet<>();
      task.sources().forEach(s -> fields.addAll(s.filter().keySet()));
      lastFilterFields = fields;
      lastTask = task;
    }
    return lastFilterFields;
  }

  static boolean isBlank(byte[] b, int length) {
    for (int i = 0; i < length; i++) {
      if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r') {
        return false;
      }
    }
    return true;
  }
}
