package dept.train.rtd;

import dept.train.SampleCorpus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dept.prep.tokenizer.BpeModel;
import dept.prep.tokenizer.SpecialTokens;
import dept.train.local.AdamW;
import dept.train.local.BlockBatches;
import dept.train.local.LocalTrainer;
import dept.train.local.OptimConfig;
import dept.train.model.DecoderLm;
import dept.train.model.ModelConfig;
import dept.train.model.ModelParams;
import dept.train.params.NamedTensors;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ELECTRA's replaced-token detection with early exit on the English sample, without Spark. */
class RtdTest {

  private static final ModelConfig MODEL = new ModelConfig(64, 3, 4, 4);
  private static final int SEQ = 64;
  private static List<int[]> train;
  private static List<int[]> val;
  private static int vocab;

  @BeforeAll
  static void sample() throws Exception {
    SampleCorpus.Split en = SampleCorpus.documents("en");
    BpeModel bpe = SampleCorpus.bpe(en.train(), 512);
    train = SampleCorpus.blocks(en.train(), bpe, SEQ);
    val = SampleCorpus.blocks(en.val(), bpe, SEQ).subList(0, 32);
    vocab = bpe.vocabSize();
  }

  private static RtdConfig config(String generator) {
    return new RtdConfig(RtdConfig.Generator.valueOf(generator.toUpperCase(java.util.Locale.ROOT)), 0.15, 0.25, 1, 50.0, List.of(1.0, 0.999, 0.99, 0.95, 0.9, 0.8, 0.7, 0.6), 1.0, null);
  }

  @ParameterizedTest
  @ValueSource(strings = {"mlm", "unigram", "uniform"})
  void aPositionIsLabelledReplacedIffItsSampleDiffersFromTheOriginal(String generator) {
    RtdModel m = new RtdModel(MODEL, vocab, SEQ, config(generator));
    DecoderLm lm = new DecoderLm(MODEL, vocab, SEQ);
    NamedTensors params = lm.initBody(1).with(m.initHeads(1)).with(lm.initEmbeddings(1)).with(m.initGenerator(1));
    int[][] batch = val.subList(0, 8).stream().map(b -> Arrays.copyOf(b, SEQ)).toArray(int[][]::new);
    try (NDManager root = NDManager.newBaseManager();
        ModelParams p = new ModelParams(params, root, root.getDevice(), false);
        NDManager step = root.newSubManager()) {
      RtdModel.Corrupted c = m.corrupt(batch, p, step, new Random(3), RtdModel.unigramCdf(train, vocab));
      long changed = 0;
      long real = 0;
      for (int i = 0; i < batch.length; i++) {
        for (int j = 0; j < SEQ; j++) {
          int q = i * SEQ + j;
          boolean differs = c.tokens()[q] != batch[i][j];
          assertEquals(differs ? 1f : 0f, c.replaced()[q], "position " + q);
          assertEquals(batch[i][j] != SpecialTokens.PAD_ID, c.real()[q]);
          if (batch[i][j] == SpecialTokens.PAD_ID) {
            assertEquals(batch[i][j], c.tokens()[q], "padding is never replaced");
          }
          changed += differs ? 1 : 0;
          real += c.real()[q] ? 1 : 0;
        }
      }
      assertTrue(changed > 0.05 * real && changed <= 0.2 * real, generator + ": " + changed + " of " + real + " replaced");
      assertEquals(generator.equals("mlm"), c.generatorLoss() != null, "only the mlm generator has a loss");
    }
  }

  @Test
  void aBrieflyTrainedBodyBeatsTheMajorityClassAndEarlyExitTradesComputeForAccuracy() {
    // Uniform replacements (ELECTRA's "no generator" ablation) are detectable within 200 steps at this
    // size; an mlm generator soon proposes plausible tokens, which takes the discriminator far longer.
    RtdModel m = new RtdModel(MODEL, vocab, SEQ, config("uniform"));
    DecoderLm lm = new DecoderLm(MODEL, vocab, SEQ);
    NamedTensors body = lm.initBody(2).with(m.initHeads(2));
    NamedTensors inputs = lm.initEmbeddings(2).with(m.initGenerator(2));
    double[] unigram = RtdModel.unigramCdf(train, vocab);
    LocalTrainer.Result r = new LocalTrainer(lm, new OptimConfig(2e-3, 2e-4, 10, 0.0, null, null, null, 1.0, 8), 200, "rtd", 0)
        .withObjective((batch, blocks, step, w, g) -> m.loss(batch, w, step, new Random(g), unigram))
        .train(body, inputs, AdamW.State.fresh(body.with(inputs)), new BlockBatches(train, 8, 2), 200, 0);
    assertTrue(r.metrics().lastLoss() < r.metrics().losses()[0], "the loss falls");
    List<RtdEvaluator.Row> rows = new RtdEvaluator(m, 16).evaluate(r.body(), r.embeddings(), val, unigram,
        config("uniform").thresholds(), 11);
    rows.forEach(row -> System.out.printf("threshold %.3f: accuracy %.4f (majority %.4f), AUC %.3f, skipped %.3f%n", row.threshold(),
        row.accuracy(), row.majorityAccuracy(), row.auc(), row.skippedFraction()));
    RtdEvaluator.Row none = rows.get(0);
    assertEquals(1.0, none.threshold());
    assertEquals(0.0, none.skippedFraction(), "threshold 1.0: nothing exits");
    assertEquals(none.finalLayerAccuracy(), none.accuracy(), "threshold 1.0 equals the model without exits");
    assertTrue(none.accuracy() > none.majorityAccuracy(), "beats the majority class: " + none);
    assertTrue(none.auc() > 0.7, "AUC " + none.auc());
    for (int i = 1; i < rows.size(); i++) {
      assertTrue(rows.get(i).skippedFraction() >= rows.get(i - 1).skippedFraction(),
          "a lower threshold skips at least as much: " + rows.get(i - 1) + " then " + rows.get(i));
    }
    assertTrue(rows.get(rows.size() - 1).skippedFraction() > 0.1, "low thresholds skip real compute");
  }
}
