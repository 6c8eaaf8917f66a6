package dept.train.rounds;

import static dept.train.rounds.RoundFixture.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.train.federated.OuterConfig;
import dept.train.params.NamedTensors;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What makes the study's arms comparable, each checked against its ablation: a round with one
 * update takes it as it is (the outer optimiser only combines); a source's private moments survive
 * the reset of the shared ones; TRIM is scored over the rows it trained; STD with replicas is the
 * IID control of federated averaging.
 */
class RoundFairnessTest {

  @TempDir static Path dir;

  private static final OuterConfig NESTEROV = new OuterConfig(OuterConfig.Kind.NESTEROV, 0.7, 0.9, true);

  @BeforeAll
  static void prepareBlocks() {
    RoundFixture.prepare();
  }

  @Test
  void aRoundWithOneUpdateTakesItAsItIs() {
    NamedTensors fedAvg = engine(config(quick("STD", 2), 0, 1, "reset", OuterConfig.defaults()), dir.resolve("std-fedavg"))
        .run(files, SOURCES, false).body();
    NamedTensors nesterov = engine(config(quick("STD", 2), 0, 1, "reset", NESTEROV), dir.resolve("std-nesterov"))
        .run(files, SOURCES, false).body();
    assertEquals(fedAvg, nesterov, "one mixture task: nothing to combine, so the outer optimiser does not act");
    // Two updates to combine: the outer optimiser acts.
    NamedTensors iidFedAvg = engine(config(quick("STD", 2), 0, 2, "reset", OuterConfig.defaults()), dir.resolve("iid-fedavg"))
        .run(files, SOURCES, false).body();
    NamedTensors iidNesterov = engine(config(quick("STD", 2), 0, 2, "reset", NESTEROV), dir.resolve("iid-nesterov"))
        .run(files, SOURCES, false).body();
    assertNotEquals(iidFedAvg, iidNesterov);
  }

  @Test
  void privateMomentsSurviveTheResetOfSharedOnes() {
    Path keep = dir.resolve("spec-keep");
    Path follow = dir.resolve("spec-follow");
    NamedTensors kept = engine(config(quick("SPEC", 2).privateState(TrainConfig.PrivateState.KEEP), 0, 1, "reset",
        OuterConfig.defaults()), keep).run(files, SOURCES, false).body();
    NamedTensors reset = engine(config(quick("SPEC", 2).privateState(TrainConfig.PrivateState.FOLLOW), 0, 1, "reset",
        OuterConfig.defaults()), follow).run(files, SOURCES, false).body();
    SourceState afterOne = state(keep, 1);
    assertNotNull(afterOne.optimizer(), "the embeddings' moments are kept");
    assertTrue(afterOne.optimizer().m().names().stream().noneMatch(n -> n.startsWith(dept.train.model.DecoderLm.BODY)),
        "only the private tensors' moments: " + afterOne.optimizer().m().names());
    assertEquals(4, afterOne.optimizer().steps(), "counted from the source's first step");
    assertNull(state(follow, 1).optimizer(), "private_state follow: reset like the shared ones");
    assertNotEquals(kept, reset, "round 2 starts from different private moments");
  }

  private static SourceState state(Path store, int round) {
    return new CheckpointStore(store.toString(), new Configuration()).readSourceState("en/replica-0", round, SourceState::read).orElseThrow();
  }

  @Test
  void trimIsScoredOverTheRowsItTrained() {
    RoundEngine.Outcome trim = engine(quick("TRIM", 1).build(), dir.resolve("trim")).run(files, SOURCES, false);
    RoundEngine.Outcome glob = engine(quick("GLOB", 1).build(), dir.resolve("glob")).run(files, SOURCES, false);
    List<RunLog.ValidationRow> trimRows = trim.log().validation().stream().filter(v -> v.round() == 1).toList();
    assertEquals(SOURCES.size(), trimRows.size());
    for (RunLog.ValidationRow v : trimRows) {
      // Its own rows hold the softmax's mass: lower than over all 4 sources' rows, which it never trained.
      assertTrue(v.bitsPerByte() < v.bitsPerByteAllRows() - 0.05, v.toString());
      assertTrue(v.targetsOutsideRows() >= 0 && v.targetsOutsideRows() < v.tokens() / 10, v.toString());
    }
    for (RunLog.ValidationRow v : glob.log().validation()) {
      assertEquals(v.bitsPerByte(), v.bitsPerByteAllRows(), 1e-4, "GLOB trained every row: " + v);
      assertEquals(0, v.targetsOutsideRows());
    }
  }

  @Test
  void averagingCostsNothingWithOneSourceAndSomethingWithMany() {
    // One source: the aggregated model is the task's own, so its local score is the validation score.
    RoundEngine.Outcome one = engine(quick("SPEC", 2).localValidation(true).build(), dir.resolve("local-one")).run(files, List.of("en"), false);
    RunLog.TaskRow task = one.log().tasks().stream().filter(t -> t.round() == 2).findFirst().orElseThrow();
    RunLog.ValidationRow after = one.log().validation().stream().filter(v -> v.round() == 2).findFirst().orElseThrow();
    assertEquals(after.bitsPerByte(), task.localValBitsPerByte(), 1e-9);
    assertTrue(Double.isNaN(one.log().tasks().stream().filter(t -> t.round() == 1).findFirst().orElseThrow().localValBitsPerByte()),
        "round 1 is not a validation round (eval_every 2)");
    // Four sources: averaging moves every source's model away from what its task trained.
    for (String variant : List.of("GLOB", "TRIM")) {
      RoundEngine.Outcome many = engine(quick(variant, 2).localValidation(true).build(), dir.resolve("local-" + variant)).run(files, SOURCES, false);
      for (RunLog.TaskRow t : many.log().tasks().stream().filter(t -> t.round() == 2).toList()) {
        double aggregated = many.log().validation().stream().filter(v -> v.round() == 2 && v.source().equals(t.source()))
            .findFirst().orElseThrow().bitsPerByte();
        assertTrue(Double.isFinite(t.localValBitsPerByte()) && Math.abs(aggregated - t.localValBitsPerByte()) > 1e-3,
            variant + " " + t.source() + ": local " + t.localValBitsPerByte() + ", aggregated " + aggregated);
      }
    }
  }

  @Test
  void stdWithReplicasIsTheIidControl() {
    TrainConfig train = config(quick("STD", 2), 0, 2, "reset", OuterConfig.defaults());
    assertEquals(InnerState.RESET, train.innerFor(train.variants().get(0)), "the replicas reset like the DEPT variants");
    assertEquals(InnerState.KEEP, config(quick("STD", 2), 0, 1, "reset", OuterConfig.defaults()).innerFor(train.variants().get(0)),
        "one mixture task is one continuous model");
    RoundEngine.Outcome out = engine(train, dir.resolve("iid")).run(files, SOURCES, false);
    assertEquals(2 * 2, out.log().tasks().size(), "2 replicas of the mixture per round");
    assertEquals(2, out.log().tasks().stream().filter(t -> t.round() == 1).map(RunLog.TaskRow::replica).distinct().count());
  }
}
