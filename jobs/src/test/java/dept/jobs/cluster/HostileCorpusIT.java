package dept.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.jobs.cli.CliRun;
import dept.prep.SparkTestSession;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `dept ingest`, vocab, tokenize and train over a generated corpus of more than 10,000 hostile
 * records next to one real source: no crash, every record accounted for (rows in = out +
 * rejected), the source left with nothing is named, and training still runs on what is valid.
 */
class HostileCorpusIT {

  @TempDir Path dir;

  /** Writes the hostile file; returns how many records of each kind it holds. */
  private static Map<String, Integer> writeHostile(Path file) throws Exception {
    Map<String, Integer> kinds = new TreeMap<>();
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      for (int i = 0; i < 2000; i++) { // invalid UTF-8 inside the text
        out.write(("{\"text\": \"broken " + i + " ").getBytes(StandardCharsets.UTF_8));
        out.write(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF});
        out.write(" bytes in an otherwise long enough line\"}\n".getBytes(StandardCharsets.UTF_8));
      }
      kinds.put("invalid_utf8", 2000);
      for (int i = 0; i < 2000; i++) { // raw NUL bytes
        out.write(("{\"text\": \"binary " + i + " \u0000\u0000 payload that is long enough to pass\"}\n").getBytes(StandardCharsets.UTF_8));
      }
      kinds.put("nul", 2000);
      for (int i = 0; i < 2000; i++) { // nested far deeper than any document
        out.write(("{\"text\": " + "{\"a\": ".repeat(1200) + "1" + "}".repeat(1200) + "}\n").getBytes(StandardCharsets.UTF_8));
      }
      kinds.put("deep_json", 2000);
      for (int i = 0; i < 2000; i++) { // truncated JSON
        out.write(("{\"text\": \"cut off in the middle of record " + i + "\n").getBytes(StandardCharsets.UTF_8));
      }
      kinds.put("truncated_json", 2000);
      for (int i = 0; i < 1500; i++) { // only zero-width and bidi control characters
        out.write(("{\"text\": \"" + "\u200b\u200e\u202e\u2066\u2069\u200f\ufeff".repeat(4 + i % 5) + "\"}\n").getBytes(StandardCharsets.UTF_8));
      }
      kinds.put("invisible", 1500);
      for (int i = 0; i < 1000; i++) { // one-token documents
        out.write(("{\"text\": \"w" + i + "\"}\n").getBytes(StandardCharsets.UTF_8));
      }
      kinds.put("one_token", 1000);
      out.write("{\"text\": \"".getBytes(StandardCharsets.UTF_8)); // one 100 MB line
      byte[] chunk = "lorem ipsum ".repeat(1000).getBytes(StandardCharsets.UTF_8);
      for (long n = 0; n < 100L << 20; n += chunk.length) {
        out.write(chunk);
      }
      out.write("\"}\n".getBytes(StandardCharsets.UTF_8));
      kinds.put("100MB_line", 1);
    }
    return kinds;
  }

  private static String[] args(String stage, Path out, String sources) {
    List<String> args = new java.util.ArrayList<>(List.of(stage, "--config", "../conf/local.yaml", "--set", "run.output=" + out,
        "--set", "spark.master=local[2]", "--set", "spark.shuffle_partitions=2", "--set", sources, "--set", "extend.new_source=null",
        "--set", "train.variants=[SPEC,GLOB]", "--set", "train.rounds=1", "--set", "train.sources_per_round=0"));
    args.addAll(CliRun.SMALL_MODEL);
    return args.toArray(new String[0]);
  }

  @Test
  void hostileRecordsAreAllAccountedForAndTrainingRunsOnTheRest() throws Exception {
    Path hostile = dir.resolve("hostile.jsonl");
    int bad = writeHostile(hostile).values().stream().mapToInt(Integer::intValue).sum();
    assertTrue(bad >= 10_000);
    Path out = dir.resolve("out");
    String sources = "ingest.sources=[{name: good, inputs: [../data-prep/sample/sample.jsonl], format: jsonl, filter: {lang: [en]}},"
        + " {name: hostile, inputs: [" + hostile + "], format: jsonl}]";
    // Only the stages the hostile input reaches: ingest accounts for it, the rest must still run on what is valid.
    CliRun.Result r = CliRun.run(args("ingest", out, sources));
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("(balanced)"), r.out());
    assertTrue(r.out().contains("WARNING: source hostile has no valid documents"), r.out());
    for (String stage : List.of("vocab", "tokenize", "train")) {
      CliRun.Result next = CliRun.run(args(stage, out, sources));
      assertEquals(0, next.exit(), stage + ": " + next.err());
    }
    assertTrue(Files.exists(out.resolve("train/spec/model/_SUCCESS")), "training ran on the valid source");

    SparkSession spark = SparkTestSession.get();
    Row stats = spark.read().parquet(out.resolve("source_stats").toString()).where("source = 'hostile'").first();
    assertEquals(bad, stats.getLong(stats.fieldIndex("read")), "every hostile record was read");
    assertEquals(0L, stats.getLong(stats.fieldIndex("written")));
    assertEquals((long) bad, spark.read().parquet(out.resolve("rejects").toString()).where("source = 'hostile'").count(),
        "and each has a row in rejects");
  }
}
