package dept.prep.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordExtractorTest {

  private static final SourceSpec EN = source("en", InputFormat.JSONL, Map.of("lang", List.of("en")));
  private static final SourceSpec DE = source("de", InputFormat.JSONL, Map.of("lang", List.of("de")));

  private static SourceSpec source(String name, InputFormat format, Map<String, List<String>> filter) {
    return new SourceSpec(name, List.of("x"), format, null, filter, null, null);
  }

  private static List<RawRecord> extract(FileTask task, byte[] bytes) {
    List<RawRecord> out = new ArrayList<>();
    new RecordExtractor(4096).extract(task, new ByteArrayInputStream(bytes), out::add);
    return out;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void jsonlRoutesEachRecordToTheSourcesWhoseFilterMatches() {
    FileTask task = new FileTask("f.jsonl", InputFormat.JSONL, "text", List.of(EN, DE));
    List<RawRecord> out =
        extract(task, utf8("{\"text\":\"hi\",\"lang\":\"en\"}\n\n{\"text\":\"hallo\",\"lang\":\"de\"}\n{\"text\":\"x\",\"lang\":\"fr\"}\n"));
    assertEquals(3, out.size());
    assertEquals("en", out.get(0).source());
    assertEquals(1, out.get(0).line());
    assertEquals("de", out.get(1).source());
    assertEquals(3, out.get(1).line(), "blank line 2 is a separator, not a record");
    assertNull(out.get(2).source(), "no filter matched: counted as unrouted");
  }

  @Test
  void everyKindOfBadLineIsRejectedWithItsReason() {
    FileTask task = new FileTask("bad.jsonl", InputFormat.JSONL, "text", List.of(EN, DE));
    byte[] invalid = {'{', '"', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
    byte[] binary = {'{', 0, 0, 1, 2, '}'};
    String big = "{\"text\":\"" + "x".repeat(5000) + "\",\"lang\":\"en\"}";
    String lines =
        "{not json\n" + new String(invalid, StandardCharsets.ISO_8859_1) + "\n" + "@BIN@\n"
            + "{\"lang\":\"en\"}\n" + "{\"text\":42,\"lang\":\"de\"}\n" + "[1,2]\n" + big + "\n";
    byte[] bytes = lines.replace("@BIN@", new String(binary, StandardCharsets.ISO_8859_1))
        .getBytes(StandardCharsets.ISO_8859_1);
    List<RawRecord> out = extract(task, bytes);
    List<RejectReason> reasons = out.stream().map(RawRecord::reason).toList();
    assertEquals(
        List.of(
            RejectReason.MALFORMED_JSON, RejectReason.INVALID_UTF8, RejectReason.BINARY,
            RejectReason.MISSING_FIELD, RejectReason.BAD_FIELD_TYPE, RejectReason.MALFORMED_JSON,
            RejectReason.RECORD_TOO_LARGE),
        reasons);
    assertEquals("*", out.get(0).source(), "malformed JSON in a shared input belongs to no source yet");
    assertEquals("en", out.get(3).source());
    assertEquals("de", out.get(4).source());
    assertTrue(out.get(6).raw().startsWith(big.length() + " bytes > max_record_bytes 4096"), out.get(6).raw());
  }

  @Test
  void aFiftyMegabyteLineIsRejectedWithoutBeingBuffered() {
    FileTask task = new FileTask("huge.txt", InputFormat.TEXT_LINES, "text",
        List.of(source("t", InputFormat.TEXT_LINES, null)));
    long size = 50L << 20;
    InputStream stream = new InputStream() {
      long left = size + 6; // the line, then "\nok!\n" ... see below
      @Override public int read() {
        if (left-- <= 0) return -1;
        long pos = size + 6 - left - 1;
        if (pos < size) return 'a';
        return "\nok!!\n".charAt((int) (pos - size));
      }
      @Override public int read(byte[] b, int off, int len) {
        int n = 0;
        while (n < len) { int c = read(); if (c < 0) break; b[off + n++] = (byte) c; }
        return n == 0 ? -1 : n;
      }
    };
    List<RawRecord> out = new ArrayList<>();
    new RecordExtractor(8L << 20).extract(task, stream, out::add);
    assertEquals(2, out.size());
    assertEquals(RejectReason.RECORD_TOO_LARGE, out.get(0).reason());
    assertTrue(out.get(0).raw().startsWith(size + " bytes"), out.get(0).raw());
    assertEquals("ok!!", out.get(1).text());
    assertEquals(2, out.get(1).line());
  }

  @Test
  void anEmptyFileIsReportedOnce() {
    FileTask task = new FileTask("empty.jsonl", InputFormat.JSONL, "text", List.of(EN));
    List<RawRecord> out = extract(task, new byte[0]);
    assertEquals(1, out.size());
    assertEquals(RejectReason.EMPTY_FILE, out.get(0).reason());
    assertEquals("en", out.get(0).source(), "an input of one source is attributed to it");
  }

  @Test
  void textFilesAreOneDocumentEachAndBinaryFilesAreRejected() {
    SourceSpec s = source("t", InputFormat.TEXT_FILES, null);
    FileTask task = new FileTask("a.txt", InputFormat.TEXT_FILES, "text", List.of(s));
    List<RawRecord> text = extract(task, utf8("\uFEFFline one\r\nline two\n"));
    assertEquals(1, text.size());
    assertEquals("line one\r\nline two\n", text.get(0).text(), "BOM removed, bytes otherwise kept");
    List<RawRecord> bin = extract(task, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13});
    assertEquals(RejectReason.BINARY, bin.get(0).reason());
    List<RawRecord> big = extract(task, new byte[5000]);
    assertEquals(RejectReason.RECORD_TOO_LARGE, big.get(0).reason());
  }

  @Test
  void aStreamThatBreaksMidwayKeepsWhatWasReadAndRejectsTheRest() {
    FileTask task = new FileTask("broken.txt", InputFormat.TEXT_LINES, "text",
        List.of(source("t", InputFormat.TEXT_LINES, null)));
    InputStream broken = new InputStream() {
      final byte[] head = utf8("first line\nsecond line\n");
      int pos;
      @Override public int read() throws java.io.IOException {
        if (pos < head.length) return head[pos++];
        throw new java.io.IOException("Unexpected end of ZLIB input stream");
      }
    };
    List<RawRecord> out = new ArrayList<>();
    new RecordExtractor(4096).extract(task, broken, out::add);
    assertEquals(3, out.size());
    assertEquals(RejectReason.UNREADABLE_FILE, out.get(2).reason());
    assertEquals(3, out.get(2).line());
    assertTrue(out.get(2).raw().contains("ZLIB"));
  }

  /** Several readers of one input, each keeping its share: together every frame once, file events once. */
  @Test
  void sharesOfAnInputTogetherHoldEveryFrameExactlyOnce() {
    String text = "{\"text\":\"a\"}\n\n{\"text\":\"b\"}\n" + "x".repeat(5000) + "\n  \n{\"text\":\"c\"}\n{\"text\":\"d\"}\n";
    byte[] whole = utf8(text);
    java.util.function.Supplier<InputStream> truncated = () -> new InputStream() {
      final byte[] head = utf8("first\nsecond\nthird\n");
      int pos;
      @Override public int read() throws java.io.IOException {
        if (pos < head.length) return head[pos++];
        throw new java.io.IOException("Unexpected end of ZLIB input stream");
      }
    };
    List<java.util.function.Supplier<InputStream>> inputs = List.of(
        () -> new ByteArrayInputStream(whole), () -> new ByteArrayInputStream(new byte[0]),
        () -> new ByteArrayInputStream(utf8("\n \n")), truncated);
    RecordExtractor extractor = new RecordExtractor(4096);
    for (java.util.function.Supplier<InputStream> input : inputs) {
      List<String> expected = describe(extractor.frames(input.get()));
      for (int ways = 1; ways <= 4; ways++) {
        List<String> union = new ArrayList<>();
        for (int share = 0; share < ways; share++) {
          union.addAll(describe(extractor.frames(input.get(), share, ways)));
        }
        union.sort(null);
        assertEquals(expected.stream().sorted().toList(), union, "ways " + ways);
      }
    }
  }

  private static List<String> describe(java.util.Iterator<LineFrame> frames) {
    List<String> out = new ArrayList<>();
    frames.forEachRemaining(f -> out.add(
        f.line() + " " + f.failure() + " " + f.fullLength() + " " + (f.bytes() == null ? "" : new String(f.bytes(), StandardCharsets.UTF_8))));
    return out;
  }
}
