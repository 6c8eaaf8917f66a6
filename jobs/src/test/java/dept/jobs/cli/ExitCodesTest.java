package dept.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

  @Test
  void aStageThatCompletesExitsZero() {
    List<String> args = new ArrayList<>(List.of(CliRun.onSample("ingest", dir.resolve("out"))));
    args.addAll(CliRun.FEW_SOURCES);
    CliRun.Result r = CliRun.run(args.toArray(new String[0]));
    assertEquals(0, r.exit(), r.err());
    assertTrue(Files.exists(dir.resolve("out/documents/_SUCCESS")));
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
