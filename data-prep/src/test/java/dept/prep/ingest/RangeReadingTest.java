package dept.prep.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.prep.io.HadoopConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.compress.BZip2Codec;
import org.apache.hadoop.io.compress.bzip2.CBZip2OutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bzip2 input read in byte ranges gives the frames, line numbers included, of reading it whole. */
class RangeReadingTest {

  private static final int MAX_RECORD_BYTES = 4096;

  @TempDir Path dir;

  /** ~250 KB of lines: blank ones, CRLF ends, one oversized; bzip2 with 100k blocks, so ~3 blocks. */
  private static byte[] corpus() {
    Random random = new Random(7);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 3000; i++) {
      if (i % 97 == 5) {
        sb.append(i % 2 == 0 ? "" : " \t").append('\n');
        continue;
      }
      int length = i == 1500 ? 6000 : 1 + random.nextInt(160);
      for (int c = 0; c < length; c++) {
        sb.append((char) ('a' + random.nextInt(26)));
      }
      sb.append(i % 11 == 0 ? "\r\n" : "\n");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** bzip2 with 100k blocks (Hadoop's codec would write 900k ones: one block for the whole corpus). */
  private Path bzip2(String name, byte[] content) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write('B');
    bytes.write('Z');
    try (OutputStream out = new CBZip2OutputStream(bytes, 1)) {
      out.write(content);
    }
    return Files.write(dir.resolve(name), bytes.toByteArray());
  }

  private static List<String> whole(byte[] content) {
    List<String> out = new ArrayList<>();
    new RecordExtractor(MAX_RECORD_BYTES).frames(new ByteArrayInputStream(content)).forEachRemaining(f -> out.add(describe(f)));
    return out;
  }

  private static String describe(LineFrame f) {
    return f.line() + " " + f.failure() + " " + f.fullLength() + " "
        + (f.bytes() == null ? f.message() : new String(f.bytes(), StandardCharsets.UTF_8));
  }

  /**
   * Frames of every range with file-wide line numbers, in range order, as the ingest job keeps them
   * (a failure that repeats the range before it left out); the tallies in {@code tallies}.
   */
  private static List<String> inRanges(Path file, int perInput, long minBytes, List<RangeReading.RangeLine> tallies) {
    HadoopConfig conf = new HadoopConfig(new Configuration());
    FileTask task = new FileTask("file:" + file, InputFormat.TEXT_LINES, "text", List.of());
    List<RangeReading.Range> ranges = RangeReading.plan(List.of(task), perInput, minBytes, conf.get());
    List<RangeReading.RangeLine> lines = new ArrayList<>();
    for (RangeReading.Range r : ranges) {
      Iterator<RangeReading.RangeLine> it = RangeReading.lines(r, task, conf, MAX_RECORD_BYTES);
      it.forEachRemaining(l -> (l.tally() ? tallies : lines).add(l));
    }
    assertEquals(ranges.size(), tallies.size(), "one tally per range");
    long[] first = RangeReading.firstLines(ranges, tallies);
    boolean[] repeated = RangeReading.repeatedFailures(ranges, tallies);
    return lines.stream().filter(l -> RangeReading.kept(l, repeated)).map(l -> describe(l.frame(first[l.range()]))).toList();
  }

  @Test
  void everyCutOfTheFileGivesTheFramesOfReadingItWhole() throws IOException {
    byte[] content = corpus();
    Path file = bzip2("corpus.txt.bz2", content);
    long size = Files.size(file);
    List<String> expected = whole(content);
    for (int perInput : new int[] {1, 2, 3, 7, 40}) {
      List<RangeReading.RangeLine> tallies = new ArrayList<>();
      List<String> got = inRanges(file, perInput, 1, tallies);
      assertEquals(expected, got, perInput + " ranges of " + size + " bytes");
      assertEquals(3000, tallies.stream().mapToLong(RangeReading.RangeLine::line).sum(), "physical lines");
    }
  }

  @Test
  void anInputWithoutARecordIsEmptyAndATruncatedOneKeepsWhatWasRead() throws IOException {
    for (String blank : new String[] {"", "\n \n\t\n"}) {
      Path file = bzip2("blank.bz2", blank.getBytes(StandardCharsets.UTF_8));
      List<RangeReading.RangeLine> tallies = new ArrayList<>();
      assertEquals(List.of(), inRanges(file, 2, 1, tallies));
      FileTask task = new FileTask("file:" + file, InputFormat.TEXT_LINES, "text", List.of());
      List<RangeReading.Range> ranges = RangeReading.plan(List.of(task), 2, 1, new Configuration());
      assertTrue(RangeReading.emptyInputs(ranges, tallies, 1)[0], "'" + blank + "' holds no record");
    }
    byte[] compressed = Files.readAllBytes(bzip2("whole.bz2", corpus()));
    Path truncated = Files.write(dir.resolve("truncated.bz2"), java.util.Arrays.copyOf(compressed, compressed.length * 9 / 10));
    BZip2Codec codec = new BZip2Codec();
    codec.setConf(new Configuration());
    List<String> expected = new ArrayList<>(); // the whole stream: the lines of its whole blocks, then the break
    new RecordExtractor(MAX_RECORD_BYTES).frames(codec.createInputStream(Files.newInputStream(truncated)))
        .forEachRemaining(f -> expected.add(describe(f)));
    assertTrue(expected.size() > 1000 && expected.get(expected.size() - 1).contains(" UNREADABLE_FILE "), expected.size() + " frames");
    List<RangeReading.RangeLine> tallies = new ArrayList<>();
    for (int perInput = 1; perInput <= 6; perInput++) {
      tallies.clear();
      assertEquals(expected, inRanges(truncated, perInput, 1, tallies), perInput + " ranges: every line before the break, the break once");
    }
    FileTask task = new FileTask("file:" + truncated, InputFormat.TEXT_LINES, "text", List.of());
    assertFalse(RangeReading.emptyInputs(RangeReading.plan(List.of(task), 6, 1, new Configuration()), tallies, 1)[0]);
  }
}
