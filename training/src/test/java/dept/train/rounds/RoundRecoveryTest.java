package dept.train.rounds;

import static dept.train.rounds.RoundFixture.*;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import dept.train.random.Seeds;
import dept.train.federated.OuterConfig;
import dept.train.local.OptimConfig;
import dept.train.model.DecoderLm;
import dept.train.model.ModelConfig;
import dept.train.params.NamedTensors;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DEPT rounds that are interrupted, fail, hang, diverge or run long ({@link RoundFixture}): a
 * killed run resumes to the uninterrupted result, retries and drills leave the result unchanged,
 * and memory stays flat over many rounds.
 */
class RoundRecoveryTest {

  @TempDir static Path dir;

  /** Uninterrupted runs by settings: the kill points of one setting share theirs. */
  private static final java.util.Map<String, RoundEngine.Outcome> uninterrupted = new java.util.HashMap<>();

  @BeforeAll
  static void prepareBlocks() {
    RoundFixture.prepare();
  }

  @ParameterizedTest
  @ValueSource(strings = {"SPEC:keep:nesterov:3", "SPEC:keep:nesterov:1", "SPEC:keep:nesterov:2", "TRIM:average:fedavg:3",
      "STD:reset:fedavg:3", "SPEC+SCONE:keep:fedavg:3", "GLOB+SCONE:reset:fedavg:3", "SPEC+RTD:keep:fedavg:3"})
  void killedAndResumedRunEqualsUninterruptedRun(String setup) {
    String[] p = setup.split(":");
    int killedAfter = Integer.parseInt(p[3]);
    TrainConfig train = config(quick(p[0], 4), p[0].startsWith("STD") ? 0 : 3, 1, p[1],
        new OuterConfig(OuterConfig.Kind.valueOf(p[2].toUpperCase(java.util.Locale.ROOT)), 0.7, 0.9, true));
    String settings = setup.substring(0, setup.lastIndexOf(':')).replace(':', '-');
    RoundEngine.Outcome whole = uninterrupted.computeIfAbsent(settings, s -> engine(train, dir.resolve("whole-" + s)).run(files, SOURCES, false));

    Path store = dir.resolve("killed-" + setup.replace(':', '-'));
    // Dies after round k (checkpoints every 2 rounds: after round 1 or 3 its tasks' states are
    // written but the round is not checkpointed, so the resume re-runs it).
    engine(train, store).run(files, SOURCES, false, killedAfter);
    RoundEngine.Outcome resumed = engine(train, store).run(files, SOURCES, true);

    assertEquals(killedAfter / 2 * 2, resumed.resumedFrom());
    assertEquals(whole.body(), resumed.body(), setup + ": body");
    assertEquals(whole.globalEmbeddings(), resumed.globalEmbeddings(), setup + ": embeddings");
    assertEquals(validation(whole, 4), validation(resumed, 4), setup + ": final validation");
    assertEquals(whole.log().tasks().size(), resumed.log().tasks().size(), "the log holds every round once");
  }

  @Test
  void resumeRefusesDifferentSettings() {
    Path store = dir.resolve("refuse");
    engine(config("SPEC", 2, 0, 1, "reset", OuterConfig.defaults()), store).run(files, SOURCES, false);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> engine(config("SPEC", 3, 0, 1, "reset", OuterConfig.defaults()), store).run(files, SOURCES, true));
    assertTrue(e.getMessage().contains("rounds: checkpoint has 2, config has 3"), e.getMessage());
  }

  @Test
  void aTaskThatFailsOnceIsRetriedAndTheRoundIsUnchanged() {
    TrainConfig train = config(quick("GLOB", 2), 0, 1, "keep", OuterConfig.defaults());
    RoundEngine.Outcome clean = engine(train, dir.resolve("clean")).run(files, SOURCES, false);
    RoundEngine flaky = engine(train, dir.resolve("flaky"));
    flaky.injectFaults((source, replica, round, attempt) -> {
      if (source.equals("ja") && round == 2 && attempt == 0) {
        throw new IllegalStateException("injected failure of ja in round 2");
      }
    });
    RoundEngine.Outcome retried = flaky.run(files, SOURCES, false);
    assertEquals(clean.body(), retried.body());
    assertEquals(clean.globalEmbeddings(), retried.globalEmbeddings());
  }

  @Test
  void injectedFailuresAndHangsAreRecoveredAndTheResultIsUnchanged() {
    RoundEngine.Outcome clean = engine(faulty("GLOB", 3, 0, null, 1), dir.resolve("drill-clean")).run(files, SOURCES, false);
    FaultConfig drill = new FaultConfig(0.25, 0.15, 0.0, 600, 31L); // seed 31: 3 failures, 1 hang (round 3)
    long failed = 0;
    long hung = 0;
    for (int round = 1; round <= 3; round++) {
      for (String s : SOURCES) {
        failed += drill.pick(s, 0, round) == FaultConfig.Fault.FAIL ? 1 : 0;
        hung += drill.pick(s, 0, round) == FaultConfig.Fault.HANG ? 1 : 0;
      }
    }
    assertTrue(failed > 0 && hung > 0, "the drill injects both kinds: " + failed + " failures, " + hung + " hangs");
    // A round here takes under 1 s alone, under 2 s beside the other test fork: a 5 s timeout only cancels the
    // hung one (a slow round cancelled by mistake would rerun to the same result, up to 3 attempts).
    RoundEngine.Outcome drilled = engine(faulty("GLOB", 3, 5, drill, 1), dir.resolve("drill")).run(files, SOURCES, false);
    assertEquals(clean.body(), drilled.body(), "Spark's retries and the round timeout recover exactly");
    assertEquals(clean.globalEmbeddings(), drilled.globalEmbeddings());
  }

  @Test
  void aDivergedSourceIsLeftOutOfItsRoundAndTrainsAgainFromItsPreviousState() {
    FaultConfig nan = new FaultConfig(0.0, 0.0, 0.3, null, 5L);
    Path store = dir.resolve("nan");
    RoundEngine.Outcome out = engine(faulty("SPEC", 4, 0, nan, 10), store).run(files, SOURCES, false);
    List<RunLog.TaskRow> excluded = out.log().tasks().stream().filter(RunLog.TaskRow::excluded).toList();
    assertFalse(excluded.isEmpty(), "the drill poisons some updates");
    assertTrue(excluded.size() < out.log().tasks().size());
    assertTrue(out.body().allFinite(), "a NaN update never reaches the body");
    CheckpointStore checkpoints = new CheckpointStore(store.toString(), new Configuration());
    assertTrue(NamedTensors.fromBytes(checkpoints.latestComplete().orElseThrow().files().get("body/shard-00000.bin")).allFinite());
    for (RunLog.TaskRow r : excluded) {
      String state = new TaskKey(r.source(), 0).statePath();
      byte[] before = checkpoints.readSourceState(state, r.round() - 1).orElse(SourceState.empty().toBytes());
      byte[] after = checkpoints.readSourceState(state, r.round()).orElse(new byte[0]);
      assertArrayEquals(before, after, r.source() + " keeps its previous state after diverging in round " + r.round());
    }
    validation(out, 4).forEach((s, loss) -> assertTrue(Double.isFinite(loss), s));
  }

  @Test
  void aTornNewestCheckpointFallsBackToThePreviousOneAndStillEndsIdentical() throws Exception {
    TrainConfig train = faulty("SPEC", 4, 0, null, 1);
    RoundEngine.Outcome whole = engine(train, dir.resolve("torn-whole")).run(files, SOURCES, false);
    Path store = dir.resolve("torn");
    engine(train, store).run(files, SOURCES, false, 3);
    // The driver died while writing round 3's checkpoint: its body no longer matches the manifest,
    // and a half-written round-4 directory was never renamed into place.
    Path body = store.resolve("round-00003").resolve("body/shard-00000.bin");
    byte[] bytes = java.nio.file.Files.readAllBytes(body);
    bytes[bytes.length / 2] ^= 1;
    java.nio.file.Files.delete(body);
    java.nio.file.Files.deleteIfExists(store.resolve("round-00003").resolve("body/.shard-00000.bin.crc"));
    java.nio.file.Files.write(body, bytes);
    java.nio.file.Files.createDirectories(store.resolve("._tmp-round-00004-dead"));
    java.nio.file.Files.write(store.resolve("._tmp-round-00004-dead").resolve("body.bin"), new byte[] {1, 2, 3});
    RoundEngine.Outcome resumed = engine(train, store).run(files, SOURCES, true);
    assertEquals(2, resumed.resumedFrom(), "round 3's torn checkpoint is skipped");
    assertEquals(whole.body(), resumed.body());
  }

  /** Many short rounds in chunks (each a resume): driver heap and process memory stay flat. */
  @Test
  void soakOfManyRoundsKeepsMemoryFlat() throws Exception {
    int rounds = 80;
    TrainConfig train = TrainConfig.builder().variants("SPEC").rounds(rounds).localSteps(2).sourcesPerRound(2).seed(3L)
        .checkpointEvery(5).evalEvery(1000).evalBlocks(4).innerState(InnerState.KEEP).actResetEvery(30)
        .optim(new OptimConfig(5e-3, 5e-4, 2, 0.0, null, null, null, 1.0, 2)).build();
    Path store = dir.resolve("soak");
    long[] heap = new long[4];
    long[] rss = new long[4];
    for (int chunk = 0; chunk < 4; chunk++) {
      engine(train, store).run(files, SOURCES, chunk > 0, (chunk + 1) * rounds / 4);
      System.gc();
      heap[chunk] = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
      rss[chunk] = residentBytes();
    }
    System.out.printf("soak: %d rounds; heap after GC %s MB; RSS %s MB%n", rounds,
        java.util.Arrays.toString(java.util.Arrays.stream(heap).map(b -> b >> 20).toArray()),
        java.util.Arrays.toString(java.util.Arrays.stream(rss).map(b -> b >> 20).toArray()));
    assertTrue(heap[3] - heap[1] < 64L << 20, "driver heap grows: " + java.util.Arrays.toString(heap));
    assertTrue(rss[3] - rss[1] < 192L << 20, "process memory grows: " + java.util.Arrays.toString(rss));
  }

  private static long residentBytes() throws java.io.IOException {
    for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return 0;
  }

  @Test
  void whenEverySourceExplodesTheBodyStaysAsItWas() {
    TrainConfig reckless = base("SPEC", 1).evalEvery(1).maxLossRatio(1.5)
        .optim(new OptimConfig(5.0, 5.0, 0, 0.0, null, null, null, 0.0, 8)).build();
    RoundEngine engine = engine(reckless, dir.resolve("reckless"));
    RoundEngine.Outcome out = engine.run(files, SOURCES, false);
    assertTrue(out.log().tasks().stream().allMatch(RunLog.TaskRow::excluded), "lr 5 diverges everywhere");
    assertEquals(new DecoderLm(new ModelConfig(32, 1, 2, 4), 1, 32).initBody(Seeds.derive(7, "body")), out.body(), "no update was applied");
  }
}
