package dept.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import dept.prep.SparkTestSession;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exit codes as the README documents them: 2 for config, option and input-path errors found before
 * the work, 1 for a failure during the work, 0 for success (2 for a bad key, an unknown option and a
 * missing input path are in {@link DeptCliTest}).
 */
class ExitCodesTest {

  @TempDir Path dir;

  /** {@code dept ingest} with every source reading {@code input}. */
  private String[] ingest(Path input) {
    List<String> args = new ArrayList<>(List.of(CliRun.onSample("ingest", dir.resolve("out"))));
    for (int i = 0; i < CliRun.sampleSources(); i++) {
      args.addAll(List.of("--set", "ingest.sources[" + i + "].inputs=[" + input + "]"));
    }
    return args.toArray(new String[0]);
  }

  @Test
  void corruptInputThatTheWorkRunsIntoExitsOne() throws Exception {
    Path corrupt = Files.writeString(dir.resolve("corrupt.jsonl"), "{\"text\": \"unterminated\n{not json at all}\n");
    CliRun.Result r = CliRun.run(ingest(corrupt));
    assertEquals(DeptCli.EXIT_FAILURE, r.exit(), r.err());
    assertTrue(r.err().contains("ingest: no source has any valid document"), r.err());
  }

  /** Also: a stage run again into the same output replaces it with identical rows (idempotent, atomic). */
  @Test
  void aStageThatCompletesExitsZeroAndARerunReplacesItsOutputWithIdenticalRows() throws Exception {
    List<String> args = new ArrayList<>(List.of(CliRun.onSample("ingest", dir.resolve("out"))));
    args.addAll(CliRun.FEW_SOURCES);
    CliRun.Result first = CliRun.run(args.toArray(new String[0]));
    assertEquals(0, first.exit(), first.err());
    assertTrue(Files.exists(dir.resolve("out/documents/_SUCCESS")));
    Path kept = Files.move(dir.resolve("out/documents"), dir.resolve("first-documents"));
    Files.createDirectories(dir.resolve("out/documents/source=stale")); // what the rerun must replace, not merge into
    Files.writeString(dir.resolve("out/documents/source=stale/part-0.txt"), "left over");

    CliRun.Result again = CliRun.run(args.toArray(new String[0]));
    assertEquals(0, again.exit(), again.err());
    SparkSession spark = SparkTestSession.get();
    assertEquals(spark.read().parquet(kept.toString()).orderBy("doc_id").collectAsList(),
        spark.read().parquet(dir.resolve("out/documents").toString()).orderBy("doc_id").collectAsList());
    assertFalse(Files.exists(dir.resolve("out/documents/source=stale")), "the old output is replaced whole");
  }

  @Test
  void aBadBenchOptionExitsTwoBeforeAnyBenchmark() {
    CliRun.Result r = CliRun.run("bench", "nonsense");
    assertEquals(DeptCli.EXIT_CONFIG, r.exit(), r.err());
    assertTrue(r.err().contains("unknown benchmark 'nonsense'"), r.err());
  }

  @Test
  void aVariantThatCannotTrainExitsTwoNamingTheOption() {
    CliRun.Result r = CliRun.run("train", "--variant", "SPEC+RTD+SCONE");
    assertEquals(DeptCli.EXIT_CONFIG, r.exit(), r.err());
    assertTrue(r.err().contains("--variant: SPEC+SCONE+RTD: +SCONE and +RTD do not combine"), r.err());
  }
}
