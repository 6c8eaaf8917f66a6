package dept.prep.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import dept.prep.SparkTestSession;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestJobTest {

  private static final String SAMPLE = Path.of("sample/sample.jsonl").toAbsolutePath().toString();

  private final SparkSession spark = SparkTestSession.get();

  @TempDir Path dir;

  private static SourceSpec jsonl(String name, String field, List<String> values, String... inputs) {
    return new SourceSpec(
        name, List.of(inputs), InputFormat.JSONL, "text", Map.of(field, values), List.of(field),
        name.equals("code") ? WhitespaceMode.PRESERVE : WhitespaceMode.COLLAPSE);
  }

  private record Run(IngestSummary summary, List<Row> documents, List<Row> rejects) {}

  private Run ingest(IngestConfig config) {
    IngestJob stage = new IngestJob(spark, config, new Configuration());
    IngestResult result = stage.run(new InputPlanner(new Configuration()).plan(config));
    try {
      return new Run(
          stage.summarize(result),
          result.documents().orderBy("source", "doc_id").collectAsList(),
          result.rejects().orderBy("source", "location").collectAsList());
    } finally {
      result.release();
      assertTrue(spark.sharedState().cacheManager().isEmpty(), "release() unpersists everything ingest cached");
    }
  }

  @Test
  void sampleGroupedByLanguageBalancesAndCoversEveryScript() {
    IngestConfig config =
        new IngestConfig(
            List.of(
                jsonl("en", "lang", List.of("en"), SAMPLE),
                jsonl("ru", "lang", List.of("ru", "uk", "bg"), SAMPLE),
                jsonl("zh", "lang", List.of("zh", "zh-cn"), SAMPLE),
                jsonl("ja", "lang", List.of("ja"), SAMPLE),
                jsonl("ar", "lang", List.of("ar", "fa"), SAMPLE),
                jsonl("el", "lang", List.of("el"), SAMPLE),
                jsonl("hbo", "lang", List.of("hbo"), SAMPLE)),
            null, null, null, 0.1);
    Run run = ingest(config);
    IngestSummary s = run.summary();
    assertTrue(s.balanced(), s.table());
    Map<String, String> script =
        s.sources().stream().collect(Collectors.toMap(SourceStats::source, SourceStats::dominantScript));
    assertEquals(
        Map.of("en", "latin", "ru", "cyrillic", "zh", "han", "ja", "latin", "ar", "arabic",
            "el", "greek", "hbo", "hebrew"),
        script, s.table());
    // Japanese man pages are full of Latin command names, but kana and kanji are well represented.
    SourceStats ja = s.sources().stream().filter(x -> x.source().equals("ja")).findFirst().orElseThrow();
    double japanese =
        ja.scriptMix().get("hiragana") + ja.scriptMix().get("katakana") + ja.scriptMix().get("han");
    assertTrue(japanese > 0.3, "kana + kanji share " + japanese);
    long total = s.sources().stream().mapToLong(SourceStats::read).sum();
    assertEquals(799 - s.unrouted(), total, "every sample line is read once, routed or not");
    long val = s.sources().stream().mapToLong(SourceStats::valDocuments).sum();
    long docs = s.sources().stream().mapToLong(SourceStats::documents).sum();
    assertTrue(val > 0.04 * docs && val < 0.2 * docs, "val " + val + " of " + docs);
  }

  @Test
  void sampleGroupedByDomainRoutesEveryRecord() {
    IngestConfig config =
        new IngestConfig(
            List.of(
                jsonl("code", "domain", List.of("code"), SAMPLE),
                jsonl("techdoc", "domain", List.of("techdoc/man", "techdoc/book", "techdoc/help"), SAMPLE),
                jsonl("prose", "domain", List.of("prose/quotes", "prose/religious", "prose/novel"), SAMPLE),
                jsonl("legal", "domain", List.of("legal/license", "legal/governance"), SAMPLE)),
            8, 4096, null, 0.1);
    Run run = ingest(config);
    IngestSummary s = run.summary();
    assertTrue(s.balanced(), s.table());
    assertEquals(0, s.unrouted(), s.table());
    assertEquals(799, s.totalRead());
    // Long documents were split at 4096 chars rather than dropped.
    assertTrue(run.documents().stream().allMatch(r -> r.getString(2).length() <= 4096));
    SourceStats code = s.sources().stream().filter(x -> x.source().equals("code")).findFirst().orElseThrow();
    assertTrue(code.documents() > code.written(), "code files longer than 4096 chars are split");
    // Code keeps its indentation.
    assertTrue(
        run.documents().stream()
            .filter(r -> r.getString(0).equals("code"))
            .anyMatch(r -> r.getString(2).contains("\n        ")));
  }

  @Test
  void splitIsDeterministicAndStableWhenDocumentsAreAdded() throws IOException {
    Path small = dir.resolve("small.jsonl");
    List<String> lines = Files.readAllLines(Path.of(SAMPLE)).subList(0, 300);
    Files.write(small, lines);
    SourceSpec all = new SourceSpec("all", List.of(small.toString()), InputFormat.JSONL, null, null, null, null);
    IngestConfig config = new IngestConfig(List.of(all), null, null, null, 0.2);
    Map<String, String> first = splits(ingest(config));
    Map<String, String> again = splits(ingest(config));
    assertEquals(first, again);

    Files.write(small, Files.readAllLines(Path.of(SAMPLE)).subList(0, 600));
    Map<String, String> grown = splits(ingest(config));
    first.forEach((id, split) -> assertEquals(split, grown.get(id), "split of " + id + " changed"));
    assertTrue(grown.size() > first.size());
    long val = grown.values().stream().filter("val"::equals).count();
    assertTrue(val > 0.1 * grown.size() && val < 0.3 * grown.size(), "val share " + val + "/" + grown.size());
  }

  private static Map<String, String> splits(Run run) {
    Map<String, String> m = new TreeMap<>();
    run.documents().forEach(r -> m.put(r.getString(1), r.getString(3)));
    return m;
  }

  @Test
  void badInputFixturesAreRejectedWithTheirReasonAndNothingIsLost() throws IOException {
    Path in = Files.createDirectories(dir.resolve("bad"));
    byte[] invalidUtf8 = {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}', '\n'};
    Files.write(in.resolve("a-invalid.jsonl"), invalidUtf8);
    Files.write(in.resolve("b-binary.jsonl"), new byte[] {'{', 0, 1, 2, 3, '}', '\n'});
    try (OutputStream out = Files.newOutputStream(in.resolve("c-huge.jsonl"))) {
      byte[] chunk = "y".repeat(1 << 20).getBytes(StandardCharsets.US_ASCII);
      out.write("{\"text\":\"".getBytes(StandardCharsets.US_ASCII));
      for (int i = 0; i < 50; i++) {
        out.write(chunk); // one 50 MB line
      }
      out.write("\"}\n{\"text\":\"a normal document after the huge line\"}\n".getBytes(StandardCharsets.US_ASCII));
    }
    Files.write(in.resolve("d-empty.jsonl"), new byte[0]);
    Files.writeString(
        in.resolve("e-mixed.jsonl"),
        "{\"text\": \"not closed\n"
            + "{\"title\": \"no text field\"}\n"
            + "{\"text\": [\"not\", \"a\", \"string\"]}\n"
            + "{\"text\": \"   \"}\n"
            + "{\"text\": \"tiny\"}\n"
            + "{\"text\": \"a document that appears twice in the source\"}\n"
            + "{\"text\": \"a  document that appears twice in the source \"}\n"
            + "{\"text\": \"a good and unique document\"}\n");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(in.resolve("f-doc.jsonl.gz")))) {
      out.write("{\"text\":\"a compressed document is read too\"}\n".getBytes(StandardCharsets.UTF_8));
    }
    byte[] gz = Files.readAllBytes(in.resolve("f-doc.jsonl.gz"));
    Files.write(in.resolve("g-truncated.jsonl.gz"), java.util.Arrays.copyOf(gz, gz.length / 2));
    Files.writeString(in.resolve("h-not-gzip.jsonl.gz"), "{\"text\":\"named .gz, written plain\"}\n");
    java.io.ByteArrayOutputStream bz = new java.io.ByteArrayOutputStream();
    bz.write(new byte[] {'B', 'Z'});
    try (OutputStream out = new org.apache.hadoop.io.compress.bzip2.CBZip2OutputStream(bz, 1)) {
      out.write("{\"text\":\"one bzip2 block, cut short\"}\n".repeat(100).getBytes(StandardCharsets.UTF_8));
    }
    Files.write(in.resolve("i-truncated.jsonl.bz2"), java.util.Arrays.copyOf(bz.toByteArray(), bz.size() / 2));

    SourceSpec src = new SourceSpec("bad", List.of(in.toString()), InputFormat.JSONL, null, null, null, null);
    // Nine inputs on two cores: each parsed where it is read. Spreading the lines, by a shuffle or
    // by two readers per input each keeping its share, changes nothing (not a reject more or less).
    Run run = ingest(new IngestConfig(List.of(src), 8, null, 8L << 20, 0.0, LineSpreading.AUTO));
    for (LineSpreading spreading : List.of(LineSpreading.SHUFFLE, LineSpreading.REREAD)) {
      Run spread = ingest(new IngestConfig(List.of(src), 8, null, 8L << 20, 0.0, spreading));
      assertEquals(run.documents(), spread.documents(), spreading.name());
      assertEquals(run.rejects(), spread.rejects(), spreading.name());
      assertEquals(run.summary().table(), spread.summary().table(), spreading.name());
    }

    Map<String, String> reasonByFile = new TreeMap<>();
    run.rejects().forEach(r -> reasonByFile.merge(
        Path.of(r.getString(1).replaceFirst("^file:", "").replaceFirst(":\\d+$", "")).getFileName().toString(),
        r.getString(2), (a, b) -> a + "," + b));
    assertEquals(
        Map.of(
            "a-invalid.jsonl", "invalid_utf8",
            "b-binary.jsonl", "binary",
            "c-huge.jsonl", "record_too_large",
            "d-empty.jsonl", "empty_file",
            "e-mixed.jsonl", "bad_field_type,duplicate,empty,malformed_json,missing_field,too_short",
            "g-truncated.jsonl.gz", "unreadable_file",
            "h-not-gzip.jsonl.gz", "unreadable_file",
            "i-truncated.jsonl.bz2", "unreadable_file"),
        sortedValues(reasonByFile));
    IngestSummary s = run.summary();
    assertTrue(s.balanced(), s.table());
    assertEquals(List.of(
            "a compressed document is read too",
            "a document that appears twice in the source",
            "a good and unique document",
            "a normal document after the huge line"),
        run.documents().stream().map(r -> r.getString(2)).sorted().toList());
    Row dup = run.rejects().stream().filter(r -> r.getString(2).equals("duplicate")).findFirst().orElseThrow();
    assertTrue(dup.getString(1).endsWith("e-mixed.jsonl:7"), dup.getString(1));
    assertTrue(dup.getString(3).startsWith("duplicate of ") && dup.getString(3).contains("e-mixed.jsonl:6"), dup.getString(3));
  }

  /**
   * Many copies of one text in two files, among distinct documents: exactly one survives, the
   * first by (file, line), and every other copy names it, however the shuffle spreads them.
   */
  @Test
  void theFirstCopyByFileAndLineStaysAndEveryOtherNamesIt() throws IOException {
    Path in = Files.createDirectories(dir.resolve("dups"));
    StringBuilder a = new StringBuilder();
    StringBuilder b = new StringBuilder();
    String copy = "{\"text\": \"the same document in many places\"}\n";
    for (int i = 1; i <= 400; i++) {
      a.append(i % 7 == 3 ? copy : "{\"text\": \"a distinct document number " + i + " of file a\"}\n");
      b.append(i % 5 == 0 ? copy : "{\"text\": \"a distinct document number " + i + " of file b\"}\n");
    }
    Files.writeString(in.resolve("b.jsonl"), b);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(in.resolve("a.jsonl.gz")))) {
      out.write(a.toString().getBytes(StandardCharsets.UTF_8));
    }
    SourceSpec src = new SourceSpec("s", List.of(in.toString()), InputFormat.JSONL, null, null, null, null);
    Run run = ingest(new IngestConfig(List.of(src), 8, null, 8L << 20, 0.0));

    long copies = 400 / 7 + (400 % 7 >= 3 ? 1 : 0) + 400 / 5;
    assertEquals(copies - 1, run.rejects().size(), "every copy but one is rejected");
    for (Row r : run.rejects()) {
      assertEquals("duplicate", r.getString(2));
      assertTrue(r.getString(3).startsWith("duplicate of ") && r.getString(3).contains("a.jsonl.gz:3: "), r.getString(3));
    }
    assertEquals(1, run.documents().stream().filter(r -> r.getString(2).equals("the same document in many places")).count());
    assertEquals(800 - copies + 1, run.documents().size());
    assertTrue(run.summary().balanced(), run.summary().table());

    // Past Spark's broadcast limit the repeated hashes are joined by a shuffle: the same answer.
    String limit = spark.conf().get("spark.sql.autoBroadcastJoinThreshold");
    spark.conf().set("spark.sql.autoBroadcastJoinThreshold", "-1");
    try {
      Run shuffled = ingest(new IngestConfig(List.of(src), 8, null, 8L << 20, 0.0));
      assertEquals(run.documents(), shuffled.documents());
      assertEquals(run.rejects(), shuffled.rejects());
    } finally {
      spark.conf().set("spark.sql.autoBroadcastJoinThreshold", limit);
    }
  }

  /**
   * One bzip2 input on two cores is read in two byte ranges, one task each: the same documents,
   * rejects (locations by line number included, duplicates naming a line of the other range) and
   * statistics as the same lines read uncompressed by one task.
   */
  @Test
  void aBzip2InputReadInRangesGivesWhatReadingItWholeGives() throws IOException {
    byte[] sample = Files.readAllBytes(Path.of(SAMPLE));
    Path plain = Files.createDirectories(dir.resolve("plain")).resolve("corpus.jsonl");
    Path bzip2 = Files.createDirectories(dir.resolve("bzip2")).resolve("corpus.jsonl.bz2");
    try (OutputStream txt = Files.newOutputStream(plain); OutputStream bz = Files.newOutputStream(bzip2)) {
      bz.write(new byte[] {'B', 'Z'});
      try (OutputStream blocks = new org.apache.hadoop.io.compress.bzip2.CBZip2OutputStream(bz, 1)) {
        for (int copy = 0; copy < 8; copy++) { // the copies after the first are duplicates, in either range
          txt.write(sample);
          blocks.write(sample);
        }
      }
    }
    FileTask task = new FileTask("file:" + bzip2, InputFormat.JSONL, "text", List.of());
    assertEquals(2, RangeReading.plan(List.of(task), 2, RangeReading.MIN_RANGE_BYTES, new Configuration()).size());
    Run whole = ingest(new IngestConfig(List.of(jsonl("all", "lang", List.of("en", "de", "ru", "zh"), plain.toString())), null, null, null, null, LineSpreading.NEVER));
    Run ranges = ingest(new IngestConfig(List.of(jsonl("all", "lang", List.of("en", "de", "ru", "zh"), bzip2.toString())), null, null, null, null, LineSpreading.AUTO));
    assertEquals(whole.documents(), ranges.documents());
    java.util.function.Function<List<Row>, List<String>> located = rows -> rows.stream()
        .map(r -> r.getString(1).replaceAll("^.*/corpus\\.jsonl(\\.bz2)?", "") + " " + r.getString(2) + " "
            + String.valueOf(r.getString(3)).replaceAll("file:\\S*/corpus\\.jsonl(\\.bz2)?", ""))
        .sorted().toList();
    assertEquals(located.apply(whole.rejects()), located.apply(ranges.rejects()));
    assertTrue(whole.rejects().size() > 1000, "duplicates: " + whole.rejects().size());
    assertEquals(whole.summary().table(), ranges.summary().table());
  }

  private static Map<String, String> sortedValues(Map<String, String> m) {
    Map<String, String> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, java.util.Arrays.stream(v.split(",")).sorted().collect(Collectors.joining(","))));
    return out;
  }

  @Test
  void textLinesTextFilesAndParquetInputsAreRead() throws IOException {
    Path lines = dir.resolve("lines.txt");
    Files.writeString(lines, "first document line\n\nsecond document line\n");
    Path files = Files.createDirectories(dir.resolve("files"));
    Files.writeString(files.resolve("one.txt"), "def f():\n    return 1\n");
    Files.writeString(files.resolve("two.txt"), "def g():\n    return 2\n");
    Path parquet = dir.resolve("table.parquet");
    spark.createDataFrame(
            List.of(
                org.apache.spark.sql.RowFactory.create("a parquet document in english", "en"),
                org.apache.spark.sql.RowFactory.create("ein deutsches Parquet-Dokument", "de"),
                org.apache.spark.sql.RowFactory.create(null, "en")),
            new org.apache.spark.sql.types.StructType().add("body", "string").add("lang", "string"))
        .coalesce(1).write().parquet(parquet.toString());

    IngestConfig config =
        new IngestConfig(
            List.of(
                new SourceSpec("lines", List.of(lines.toString()), InputFormat.TEXT_LINES, null, null, null, null),
                new SourceSpec("files", List.of(files + "/*.txt"), InputFormat.TEXT_FILES, null, null, null, WhitespaceMode.PRESERVE),
                new SourceSpec("pq", List.of(parquet.toString()), InputFormat.PARQUET, "body",
                    Map.of("lang", List.of("en")), null, null)),
            8, null, null, 0.0);
    Run run = ingest(config);
    assertTrue(run.summary().balanced(), run.summary().table());
    Map<String, List<String>> texts = new TreeMap<>();
    run.documents().forEach(r -> texts.computeIfAbsent(r.getString(0), k -> new java.util.ArrayList<>()).add(r.getString(2)));
    texts.values().forEach(v -> v.sort(null));
    assertEquals(
        Map.of(
            "files", List.of("def f():\n    return 1", "def g():\n    return 2"),
            "lines", List.of("first document line", "second document line"),
            "pq", List.of("a parquet document in english")),
        texts);
    assertEquals(List.of("missing_field"), run.rejects().stream().map(r -> r.getString(2)).toList());
    assertEquals(1, run.summary().unrouted(), "the German row matched no source");
  }

  @Test
  void aMissingInputFailsBeforeAnyJobNamingTheConfigKey() {
    SourceSpec ok = new SourceSpec("ok", List.of(SAMPLE), InputFormat.JSONL, null, null, null, null);
    SourceSpec missing =
        new SourceSpec("gone", List.of(SAMPLE, dir.resolve("nowhere/*.jsonl").toString()), InputFormat.JSONL, null, null, null, null);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new InputPlanner(new Configuration()).plan(new IngestConfig(List.of(ok, missing), null, null, null, null)));
    assertTrue(e.getMessage().startsWith("ingest.sources[1].inputs[1]: no input file matches"), e.getMessage());
  }

  @Test
  void aSharedInputIsPlannedOnce() {
    IngestConfig config =
        new IngestConfig(
            List.of(jsonl("en", "lang", List.of("en"), SAMPLE), jsonl("de", "lang", List.of("de"), SAMPLE)),
            null, null, null, null);
    List<FileTask> tasks = new InputPlanner(new Configuration()).plan(config);
    assertEquals(1, tasks.size());
    assertEquals(List.of("en", "de"), tasks.get(0).sources().stream().map(SourceSpec::name).toList());
    assertNotEquals(RawRecord.UNATTRIBUTED, tasks.get(0).sources().get(0).name());
  }
}
