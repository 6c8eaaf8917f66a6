package dept.train.extend;

import static dept.train.extend.ExtensionFixture.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dept.train.local.Batches;
import dept.train.model.DecoderLm;
import dept.train.model.ModelParams;
import dept.train.model.Weights;
import dept.train.params.NamedTensors;
import dept.prep.SparkTestSession;
import dept.train.local.Evaluator;
import dept.train.rounds.TrainedModel;
import dept.train.scoring.ScoringBlocks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Extending a small English model (trained here) to Greek, a script it never saw, on the sample:
 * every method starts exactly at the base model, and neutral residues forget English less than
 * fine-tuning while their gates are lower on English than on Greek.
 */
class ExtensionTest {

  @BeforeAll
  static void baseModelAndData() {
    ExtensionFixture.prepare();
  }

  private static ExtendConfig config(int steps) {
    return ExtensionFixture.config(List.of("neutral", "finetune"), steps, 0.1, ExtendConfig.DEFAULT_ALPHA);
  }

  @ParameterizedTest
  @EnumSource(value = ExtensionMethod.class, names = {"NEUTRAL", "ADAPTER", "LORA"})
  void theExtendedModelStartsExactlyAtTheBaseModel(ExtensionMethod method) {
    NamedTensors ext = new ExtensionParams(MODEL, baseBody.parameterCount(), 0.2).init(method, 3);
    long added = ext.parameterCount();
    assertTrue(added > 0.15 * baseBody.parameterCount() && added < 0.25 * baseBody.parameterCount(),
        method + " adds ~20% of the body: " + added + " of " + baseBody.parameterCount());
    DecoderLm lm = new DecoderLm(MODEL, data.vocabSizes().get("en"), SEQ);
    try (NDManager root = NDManager.newBaseManager();
        ModelParams base = new ModelParams(baseBody.with(baseEmbeddings.get("en")), root, root.getDevice(), false);
        ModelParams extra = new ModelParams(ext, root, root.getDevice(), false);
        NDManager step = root.newSubManager()) {
      int[][] batch = val.get("en").stream().limit(8).map(b -> Arrays.copyOf(b, SEQ)).toArray(int[][]::new);
      float[] before = lm.logits(Batches.toArray(batch, step), base, step).toFloatArray();
      float[] after = lm.logits(Batches.toArray(batch, step), Weights.layered(extra, base), step).toFloatArray();
      float max = 0;
      for (int i = 0; i < before.length; i++) {
        max = Math.max(max, Math.abs(before[i] - after[i]));
      }
      assertEquals(0f, max, 1e-6f, method + ": max |logit difference| at init");
    }
  }

  @Test
  void neutralResiduesForgetLessThanFineTuningAndTheirGatesAreLowerOnTheOldDomain(@TempDir Path params) {
    ExtendConfig cfg = config(150);
    TrainedModel base = new TrainedModel("SPEC", MODEL, SEQ, 1, baseBody, baseEmbeddings, null, null);
    SparkSession spark = SparkTestSession.get();
    List<ExtensionTask.Result> results = new ExtensionJob(spark).run(base, data, ScoringBlocks.of(spark, val), cfg, 8, params.toString());
    ExtensionTask.Result neutral = results.get(0);
    ExtensionTask.Result finetune = results.get(1);
    assertEquals(List.of("neutral", "finetune"), results.stream().map(ExtensionTask.Result::label).toList());
    ExtensionTask.Score nEn = score(neutral, "en");
    ExtensionTask.Score fEn = score(finetune, "en");
    ExtensionTask.Score nEl = score(neutral, "el");
    ExtensionTask.Score fEl = score(finetune, "el");
    System.out.printf("en forgetting: neutral %+.4f, finetune %+.4f bits/byte; el: neutral %.3f -> %.3f, finetune %.3f -> %.3f%n",
        nEn.after() - nEn.before(), fEn.after() - fEn.before(), nEl.before(), nEl.after(), fEl.before(), fEl.after());
    assertEquals(nEn.before(), fEn.before(), 1e-9, "the same base");
    assertTrue(nEn.after() - nEn.before() < fEn.after() - fEn.before(), "neutral residues forget less English than fine-tuning");
    assertTrue(nEl.after() < nEl.before() - 0.5, "neutral residues learn Greek: " + nEl);
    assertTrue(fEl.after() < fEl.before() - 0.5, "fine-tuning learns Greek: " + fEl);
    double oldGate = neutral.gates().stream().filter(g -> g.domain().equals("original")).mapToDouble(ExtensionTask.GateStats::meanGate)
        .average().orElseThrow();
    double newGate = neutral.gates().stream().filter(g -> g.domain().equals("new")).mapToDouble(ExtensionTask.GateStats::meanGate)
        .average().orElseThrow();
    System.out.printf("mean gate: original %.4f, new %.4f%n", oldGate, newGate);
    // The mechanism itself (penalty, alpha 0 ablation, plain adapters) is NeutralResiduesTest's.
    assertTrue(oldGate < newGate, "the gate is smaller on English than on Greek: " + oldGate + " vs " + newGate);

    // The scoring job on executors gives what one sequential pass over the same blocks gives.
    DecoderLm en = new DecoderLm(MODEL, data.vocabSizes().get("en"), SEQ);
    double direct = new Evaluator(en, ExtensionJob.SCORING_BATCH).evaluate(baseBody, baseEmbeddings.get("en"), val.get("en"),
        data.tokenBytes().get("en")).bitsPerByte();
    assertEquals(direct, nEn.before(), 1e-12, "the base's English bits per byte, scored in the job");
    // Each task saved what it trained: the adapters and Greek's rows; fine-tuning also the body.
    TrainedExtension savedNeutral = saved(params, "neutral");
    TrainedExtension savedFinetune = saved(params, "finetune");
    assertEquals(neutral.addedParams(), savedNeutral.added().parameterCount());
    assertTrue(savedNeutral.body(NamedTensors.EMPTY).names().isEmpty(), "neutral residues leave the body frozen");
    assertEquals(baseBody.names(), savedFinetune.body(NamedTensors.EMPTY).names(), "fine-tuning saves the whole body");
    assertTrue(savedFinetune.added().names().isEmpty());
    assertTrue(savedNeutral.embeddings("el", null) != null, "Greek's own rows trained and saved");
  }

  private static TrainedExtension saved(Path dir, String method) {
    try {
      return new TrainedExtension(NamedTensors.fromBytes(Files.readAllBytes(dir.resolve(method + ".bin"))));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static ExtensionTask.Score score(ExtensionTask.Result r, String source) {
    return r.scores().stream().filter(s -> s.source().equals(source)).findFirst().orElseThrow();
  }
}
