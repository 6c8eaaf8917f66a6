package dept.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.jobs.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 of `dept train` mid-run, then `dept train --resume`: the model equals the one an
 * uninterrupted run produced, bit for bit (CPU).
 */
class TrainResumeIT {

  @TempDir Path dir;

  /**
   * SPEC, 6 rounds, 2 of the 3 training sources per round (the seeded sampling must resume too), the
   * smallest model; only SPEC's tokenizers are needed, so no global one is trained or used.
   */
  private static final String[] TRAIN = java.util.stream.Stream.of(List.of("--set", "train.variants=[SPEC]",
      "--set", "train.rounds=6", "--set", "train.checkpoint_every=1", "--set", "train.sources_per_round=2",
      "--set", "tokenize.with_global=false"), CliRun.FEW_SOURCES, CliRun.SMALL_MODEL).flatMap(List::stream).toArray(String[]::new);

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  private List<String> train(Path out, String... extra) {
    List<String> cmd = new ArrayList<>(List.of("bin/dept"));
    cmd.addAll(List.of(CliRun.onSample("train", out, TRAIN)));
    cmd.addAll(List.of(extra));
    return cmd;
  }

  @Test
  void killedTrainResumesToTheUninterruptedModel() throws Exception {
    Path out = dir.resolve("out");
    for (String stage : List.of("ingest", "vocab", "tokenize", "train")) { // the uninterrupted run, in process
      CliRun.Result r = CliRun.run(CliRun.onSample(stage, out, TRAIN));
      assertEquals(0, r.exit(), stage + ": " + r.err());
    }
    Path body = out.resolve("train/spec/model/body.bin");
    String uninterrupted = sha256(body);

    Path killedLog = dir.resolve("killed.log");
    Process killed = ChildJvm.start(train(out), ChildJvm.C1_ONLY, killedLog);
    Path secondCheckpoint = out.resolve("train/spec/checkpoints/round-00002/manifest.json");
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
    while (!Files.exists(secondCheckpoint) && killed.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(Files.exists(secondCheckpoint), "round 2 was checkpointed: " + Files.readString(killedLog));
    killed.destroyForcibly().waitFor(); // SIGKILL: no shutdown hooks, no clean-up
    assertTrue(!Files.exists(out.resolve("train/spec/checkpoints/round-00006")), "killed before the end");

    Path resumedLog = dir.resolve("resumed.log");
    assertEquals(0, ChildJvm.run(train(out, "--resume"), ChildJvm.C1_ONLY, resumedLog, 600), Files.readString(resumedLog));
    String log = Files.readString(resumedLog);
    assertTrue(log.contains("resuming after round"), log);
    assertEquals(uninterrupted, sha256(body), "resumed model == uninterrupted model");
  }
}
