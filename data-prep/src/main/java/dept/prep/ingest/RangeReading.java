package dept.prep.ingest;

import dept.prep.io.HadoopConfig;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.TaskAttemptID;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.hadoop.mapreduce.lib.input.LineRecordReader;
import org.apache.hadoop.mapreduce.task.TaskAttemptContextImpl;

/**
 * Reading a bzip2 input in byte ranges, one task each, with Hadoop's {@link LineRecordReader}
 * (which knows where a bzip2 block and a line start inside a range), while keeping the contract of
 * locations by line number: a range's lines are numbered from its start, every range ends with a
 * {@link RangeLine#tally} of its lines, and the line numbers become file-wide once the tallies of
 * the ranges before it are known ({@link #firstLines}).
 */
final class RangeReading {

  /** No range smaller than this (a bzip2 block is up to 900 KB of text, ~100-250 KB compressed). */
  static final long MIN_RANGE_BYTES = 1L << 20;

  private static final int PREVIEW_BYTES = 1024;

  private RangeReading() {}

  /** Byte range {@code [start, end)} of input {@code input}; {@code index} orders the ranges of all inputs. */
  record Range(int index, int input, long start, long end) implements Serializable {}

  /**
   * A non-blank line of a range ({@code line} counted from the range's first line, 1-based), a read
   * failure, or the range's tally: {@code line} its physical lines, {@code fullLength} its records
   * (non-blank lines and a failure), {@code failure} whether it broke.
   */
  record RangeLine(int range, long line, byte[] bytes, long fullLength, RejectReason failure, String message, boolean tally)
      implements Serializable {

    LineFrame frame(long firstLine) {
      return failure == null
          ? LineFrame.of(firstLine - 1 + line, bytes, fullLength)
          : LineFrame.failed(firstLine - 1 + line, failure, message);
    }
  }

  /** Each input cut into at most {@code perInput} ranges of at least {@code minBytes}. */
  static List<Range> plan(List<FileTask> inputs, int perInput, long minBytes, Configuration conf) {
    List<Range> ranges = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      Path path = new Path(inputs.get(i).path());
      long size;
      try {
        size = path.getFileSystem(conf).getFileStatus(path).getLen();
      } catch (IOException e) {
        throw new UncheckedIOException(inputs.get(i).path() + ": cannot read its size: " + e.getMessage(), e);
      }
      int n = (int) Math.max(1, Math.min(perInput, size / minBytes));
      for (int k = 0; k < n; k++) {
        ranges.add(new Range(ranges.size(), i, size * k / n, size * (k + 1) / n));
      }
    }
    return ranges;
  }

  /**
   * The file-wide number of each range's first line: 1 for a file's first range, then one more than
   * the physical lines of the ranges before it in the same file. {@code tallies} holds one tally per
   * range, in any order.
   */
  static long[] firstLines(List<Range> ranges, List<RangeLine> tallies) {
    long[] lines = new long[ranges.size()];
    for (RangeLine t : tallies) {
      lines[t.range()] = t.line();
    }
    long[] first = new long[ranges.size()];
    for (Range r : ranges) {
      boolean opensFile = r.index() == 0 || ranges.get(r.index() - 1).input() != r.input();
      first[r.index()] = opensFile ? 1 : first[r.index() - 1] + lines[r.index() - 1];
    }
    return first;
  }

  /**
   * The ranges whose failure repeats the one before it: a range that broke before its first line,
   * right after a range of the same file that broke (a stream cut short breaks every range from
   * there on, all at the same line). Their {@code unreadable_file} line is left out.
   */
  static boolean[] repeatedFailures(List<Range> ranges, List<RangeLine> tallies) {
    RangeLine[] byRange = new RangeLine[ranges.size()];
    tallies.forEach(t -> byRange[t.range()] = t);
    boolean[] repeated = new boolean[ranges.size()];
    for (Range r : ranges) {
      int i = r.index();
      repeated[i] = i > 0 && ranges.get(i - 1).input() == r.input() && byRange[i - 1].failure() != null
          && byRange[i].failure() != null && byRange[i].line() == 0;
    }
    return repeated;
  }

  /** Whether a range's line becomes a record: a tally never does, a repeated failure neither. */
  static boolean kept(RangeLine line, boolean[] repeatedFailures) {
    return !line.tally() && !(line.failure() != null && repeatedFailures[line.range()]);
  }

  /** Inputs none of whose ranges held a non-blank line or a failure: each is one {@code empty_file}. */
  static boolean[] emptyInputs(List<Range> ranges, List<RangeLine> tallies, int inputs) {
    long[] records = new long[inputs];
    for (RangeLine t : tallies) {
      records[ranges.get(t.range()).input()] += t.fullLength();
    }
    boolean[] empty = new boolean[inputs];
    for (int i = 0; i < inputs; i++) {
      empty[i] = records[i] == 0;
    }
    return empty;
  }

  /**
   * The lines of one range as {@link LineReader} would cut them (LF ends a line, a CR before it is
   * dropped), then its tally. A line longer than {@code maxRecordBytes} keeps only a preview (Hadoop
   * reads it whole first). A read that breaks ends the range with an {@code unreadable_file} line.
   */
  static Iterator<RangeLine> lines(Range range, FileTask input, HadoopConfig conf, long maxRecordBytes) {
    LineRecordReader reader = new LineRecordReader(new byte[] {'\n'});
    IOException broken = null;
    try {
      reader.initialize(
          new FileSplit(new Path(input.path()), range.start(), range.end() - range.start(), null),
          new TaskAttemptContextImpl(conf.get(), new TaskAttemptID()));
    } catch (IOException e) {
      broken = e; // e.g. a bzip2 block cut short where the range starts: the range is unreadable from its first line
    }
    IOException atOpen = broken;
    return new Iterator<>() {
      private final java.util.ArrayDeque<RangeLine> pending = new java.util.ArrayDeque<>();
      private long physical;
      private long records;
      private boolean done;

      @Override
      public boolean hasNext() {
        while (pending.isEmpty() && !done) {
          fill();
        }
        return !pending.isEmpty();
      }

      @Override
      public RangeLine next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return pending.poll();
      }

      private void fill() {
        try {
          if (atOpen != null) {
            throw atOpen;
          }
          if (!reader.nextKeyValue()) {
            finish();
            return;
          }
        } catch (IOException | RuntimeException e) {
          records++;
          pending.add(new RangeLine(range.index(), physical + 1, null, 0, RejectReason.UNREADABLE_FILE,
              e.getClass().getSimpleName() + ": " + e.getMessage(), false));
          finish();
          return;
        }
        physical++;
        Text value = reader.getCurrentValue();
        byte[] b = value.getBytes();
        int length = value.getLength();
        if (length > 0 && b[length - 1] == '\r') {
          length--;
        }
        if (length > maxRecordBytes || !RecordExtractor.isBlank(b, length)) { // a blank line separates, it is no record
          records++;
          pending.add(new RangeLine(
              range.index(), physical, Arrays.copyOf(b, length > maxRecordBytes ? PREVIEW_BYTES : length), length, null, null, false));
        }
      }

      /** The tally is always a range's last line; it carries the range's failure, if any. */
      private void finish() {
        done = true;
        RejectReason broke = pending.isEmpty() ? null : pending.peekLast().failure();
        pending.add(new RangeLine(range.index(), physical, null, records, broke, null, true));
        try {
          reader.close();
        } catch (IOException ignored) {
          // everything was read
        }
      }
    };
  }
}
