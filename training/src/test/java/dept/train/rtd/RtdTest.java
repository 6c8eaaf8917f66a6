package dept.train.rtd;

import dept.train.SampleCorpus;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dept.prep.tokenizer.BpeModel;
import dept.prep.tokenizer.SpecialTokens;
import dept.train.local.AdamW;
import dept.train.local.BlockBatches;
import dept.train.local.LocalTrainer;
import dept.train.local.OptimConfig;
import dept.train.model.ComputeMeter;
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

  private static LocalTrainer.Result trained;

  /**
   * Uniform replacements (ELECTRA's "no generator" ablation) are detectable within 200 steps at this
   * size; an mlm generator soon proposes plausible tokens, which takes the discriminator far longer.
   */
  private static synchronized LocalTrainer.Result trained() {
    if (trained == null) {
      RtdModel m = new RtdModel(MODEL, vocab, SEQ, config("uniform"));
      DecoderLm lm = new DecoderLm(MODEL, vocab, SEQ);
      NamedTensors body = lm.initBody(2).with(m.initHeads(2));
      NamedTensors inputs = lm.initEmbeddings(2).with(m.initGenerator(2));
      double[] unigram = RtdModel.unigramCdf(train, vocab);
      trained = new LocalTrainer(lm, new OptimConfig(2e-3, 2e-4, 10, 0.0, null, null, null, 1.0, 8), 200, "rtd", 0)
          .withObjective((batch, blocks, step, w, g) -> m.loss(batch, w, step, new Random(g), unigram))
          .train(body, inputs, AdamW.State.fresh(body.with(inputs)), new BlockBatches(train, 8, 2), 200, 0);
    }
    return trained;
  }

  @Test
  void aBrieflyTrainedBodyBeatsTheMajorityClassAndEarlyExitTradesComputeForAccuracy() {
    RtdModel m = new RtdModel(MODEL, vocab, SEQ, config("uniform"));
    double[] unigram = RtdModel.unigramCdf(train, vocab);
    LocalTrainer.Result r = trained();
    assertTrue(r.metrics().lastLoss() < r.metrics().losses()[0], "the loss falls");
    List<RtdEvaluator.Row> rows = new RtdEvaluator(m, 16).evaluate(r.body(), r.embeddings(), val, unigram,
        config("uniform").thresholds(), 11);
    rows.forEach(row -> System.out.printf("threshold %.3f: accuracy %.4f (majority %.4f), AUC %.3f, token-layers not run %.3f, "
        + "multiply-adds %.3f%n", row.threshold(), row.accuracy(), row.majorityAccuracy(), row.auc(), row.skippedFraction(), row.macsFraction()));
    RtdEvaluator.Row none = rows.get(0);
    assertEquals(1.0, none.threshold());
    assertEquals(0.0, none.skippedFraction(), "threshold 1.0: nothing exits");
    assertEquals(1.0, none.macsFraction(), "threshold 1.0: every multiply-add runs");
    assertEquals(none.finalLayerAccuracy(), none.accuracy(), "threshold 1.0 equals the model without exits");
    assertTrue(none.accuracy() > none.majorityAccuracy(), "beats the majority class: " + none);
    assertTrue(none.auc() > 0.7, "AUC " + none.auc());
    for (int i = 1; i < rows.size(); i++) {
      assertTrue(rows.get(i).skippedFraction() >= rows.get(i - 1).skippedFraction(),
          "a lower threshold skips at least as much: " + rows.get(i - 1) + " then " + rows.get(i));
    }
    RtdEvaluator.Row lowest = rows.get(rows.size() - 1);
    assertTrue(lowest.skippedFraction() > 0.1, "low thresholds skip real compute");
    // Keys and values still run for every position while any is left: the multiply-adds saved are
    // fewer than the token-layers, but more than none.
    assertTrue(lowest.macsFraction() < 1 - 0.5 * lowest.skippedFraction() && lowest.macsFraction() > 1 - lowest.skippedFraction(),
        "multiply-adds " + lowest.macsFraction() + " vs token-layers not run " + lowest.skippedFraction());
  }

  /**
   * The paper's setting: tokens leave while pre-training (train_threshold 0.9). Later layers really
   * run fewer rows over training, and the discriminator still learns, scored as it was trained.
   */
  @Test
  void preTrainingWithExitSkipsWorkAndStillLearns() {
    RtdConfig exit = new RtdConfig(RtdConfig.Generator.UNIFORM, 0.15, 0.25, 1, 50.0, List.of(1.0, 0.9), 0.9, null);
    RtdModel m = new RtdModel(MODEL, vocab, SEQ, exit);
    DecoderLm lm = new DecoderLm(MODEL, vocab, SEQ);
    NamedTensors body = lm.initBody(2).with(m.initHeads(2));
    NamedTensors inputs = lm.initEmbeddings(2).with(m.initGenerator(2));
    double[] unigram = RtdModel.unigramCdf(train, vocab);
    ComputeMeter meter = new ComputeMeter(MODEL.layers());
    int steps = 200;
    LocalTrainer.Result r = new LocalTrainer(lm, new OptimConfig(2e-3, 2e-4, 10, 0.0, null, null, null, 1.0, 8), steps, "rtd-exit", 0)
        .withObjective((batch, blocks, step, w, g) -> m.loss(batch, w, step, new Random(g), unigram, meter))
        .train(body, inputs, AdamW.State.fresh(body.with(inputs)), new BlockBatches(train, 8, 2), steps, 0);
    assertTrue(r.metrics().lastLoss() < r.metrics().losses()[0], "the loss falls");
    double ran = meter.tokenRows() / (double) ((long) steps * 8 * SEQ * MODEL.layers());
    assertTrue(ran < 0.9, "token-layers run over training: " + ran);
    List<RtdEvaluator.Row> rows = new RtdEvaluator(m, 16).evaluate(r.body(), r.embeddings(), val, unigram, exit.thresholds(), 11);
    System.out.printf("trained with exit at 0.9: %.1f%% of token-layers ran; AUC %.3f without exit, %.3f at 0.9%n", 100 * ran,
        rows.get(0).auc(), rows.get(1).auc());
    assertTrue(rows.get(1).auc() > 0.7, "as trained: " + rows.get(1));
  }

  /**
   * The compact pass on the trained model: a layer sends only the positions still in through its
   * query, attention output and MLP (a fake that masks a full pass would show every row at every
   * layer), computes keys and values for every position while any is left, and a position that left
   * keeps its hidden state bit for bit up to the top.
   */
  @Test
  void exitedPositionsSkipLaterLayersWorkAndKeepTheirStateBitForBit() {
    RtdModel m = new RtdModel(MODEL, vocab, SEQ, config("uniform"));
    LocalTrainer.Result r = trained();
    int b = 8;
    int[][] batch = val.subList(0, b).stream().map(x -> Arrays.copyOf(x, SEQ)).toArray(int[][]::new);
    try (NDManager root = NDManager.newBaseManager();
        ModelParams p = new ModelParams(r.body().with(r.embeddings()), root, root.getDevice(), false);
        NDManager step = root.newSubManager()) {
      RtdModel.Corrupted c = m.corrupt(batch, p, step, new Random(5), null);
      ComputeMeter meter = new ComputeMeter(MODEL.layers());
      RtdModel.Detection d = m.discriminate(c.tokens(), b, SEQ, p, step, 0.9, meter);
      int n = b * SEQ;
      int exitedEarly = 0;
      for (int l = 0; l < MODEL.layers(); l++) {
        int layer = l;
        long stillIn = Arrays.stream(d.exitLayer()).filter(e -> e >= layer).count();
        assertEquals(stillIn, meter.tokenRows(l), "layer " + l + " ran exactly the positions still in");
        assertEquals(stillIn, d.rows()[l].length);
        assertEquals(stillIn == 0 ? 0 : n, meter.keyValueRows(l), "layer " + l + ": keys and values for every position");
      }
      assertTrue(meter.tokenRows(MODEL.layers() - 1) < n / 2, "most positions left before the last layer: " + meter.tokenRows(MODEL.layers() - 1));
      float[][] states = Arrays.stream(d.states()).map(s -> s.toFloatArray()).toArray(float[][]::new);
      int c0 = MODEL.dModel();
      for (int q = 0; q < n; q++) {
        int e = d.exitLayer()[q];
        if (e < MODEL.layers() - 1) {
          exitedEarly++;
          float[] at = Arrays.copyOfRange(states[e], q * c0, (q + 1) * c0);
          for (int l = e + 1; l < MODEL.layers(); l++) {
            assertArrayEquals(at, Arrays.copyOfRange(states[l], q * c0, (q + 1) * c0), "position " + q + " left at " + e + ", layer " + l);
          }
        }
      }
      assertTrue(exitedEarly > n / 2, exitedEarly + " of " + n + " left early");
    }
  }

  /**
   * The compact pass computes the function of a masked full pass (every layer runs every row, then
   * a row that left is reset to its frozen state; the loss over the same (row, layer) pairs): same
   * logits and the same gradients, also for what reaches the first layer through the frozen rows'
   * keys and values. Where nobody leaves it is the model without exit.
   */
  @Test
  void theCompactPassComputesWhatAMaskedFullPassComputes() {
    RtdModel m = new RtdModel(MODEL, vocab, SEQ, config("uniform"));
    LocalTrainer.Result r = trained();
    int b = 4;
    int n = b * SEQ;
    int[][] batch = val.subList(0, b).stream().map(x -> Arrays.copyOf(x, SEQ)).toArray(int[][]::new);
    dept.train.model.TransformerBlocks stack = new dept.train.model.TransformerBlocks(MODEL, DecoderLm.BODY);
    ExitHeads heads = new ExitHeads(MODEL.layers(), MODEL.dModel());
    List<String> watched = List.of("body.h0.attn.qkv.w", "body.h0.mlp.fc.w", "embed.wte");
    try (NDManager root = NDManager.newBaseManager();
        ModelParams p = new ModelParams(r.body().with(r.embeddings()), root, root.getDevice(), true);
        NDManager step = root.newSubManager()) {
      RtdModel.Corrupted c = m.corrupt(batch, p, step, new Random(5), null);
      RtdModel.Detection compact;
      List<float[]> compactGrads = new java.util.ArrayList<>();
      try (ai.djl.training.GradientCollector g = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
        g.zeroGradients();
        compact = m.discriminate(c.tokens(), b, SEQ, p, step, 0.9, new ComputeMeter(MODEL.layers()));
        g.backward(m.detectionLoss(c, compact, step));
        watched.forEach(name -> compactGrads.add(p.get(name).getGradient().toFloatArray()));
      }
      assertTrue(compact.rows()[MODEL.layers() - 1].length < n / 2, "most positions left");
      try (ai.djl.training.GradientCollector g = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
        g.zeroGradients();
        ai.djl.ndarray.NDArray x = m.embed(c.tokens(), b, SEQ, p, step);
        ai.djl.ndarray.NDArray open = dept.train.model.SelfAttention.openMask(SEQ, step);
        ai.djl.ndarray.NDArray[] logits = new ai.djl.ndarray.NDArray[MODEL.layers()];
        for (int l = 0; l < MODEL.layers(); l++) {
          float[] in = new float[n];
          for (long row : compact.rows()[l]) {
            in[(int) row] = 1f;
          }
          ai.djl.ndarray.NDArray active = step.create(in, new ai.djl.ndarray.types.Shape(b, SEQ, 1));
          ai.djl.ndarray.NDArray next = stack.block(l).forward(x, p, open, step, null);
          x = next.mul(active).add(x.mul(active.neg().add(1f)));
          logits[l] = heads.logits(l, x, p).reshape(n).get(new ai.djl.ndarray.index.NDIndex("{}", step.create(compact.rows()[l])));
          assertArrayEquals(compact.logits()[l].toFloatArray(), logits[l].toFloatArray(), 1e-4f, "layer " + l + " logits");
        }
        g.backward(m.detectionLoss(c, new RtdModel.Detection(logits, compact.rows(), null, null, null), step));
        for (int i = 0; i < watched.size(); i++) {
          float[] masked = p.get(watched.get(i)).getGradient().toFloatArray();
          float scale = 0;
          for (float v : masked) {
            scale = Math.max(scale, Math.abs(v));
          }
          assertTrue(scale > 0, watched.get(i) + " has a gradient");
          assertArrayEquals(masked, compactGrads.get(i), 1e-3f * scale, watched.get(i) + " gradient");
        }
      }
    }
  }

  /**
   * One block on some rows of uneven sequences (2 rows and 1 row, so the per-sequence layout pads):
   * those rows get what the full block gives them, the others stay as they were, and the meter
   * charges keys and values for all 8 rows, queries and scores for the 2 x 2 slots, the rest for the 3 rows.
   */
  @Test
  void aBlockOnSomeRowsGivesThemWhatTheFullBlockGives() {
    dept.train.model.TransformerBlocks stack = new dept.train.model.TransformerBlocks(MODEL, DecoderLm.BODY);
    NamedTensors params = new DecoderLm(MODEL, vocab, SEQ).initBody(6);
    int b = 2;
    int t = 4;
    int c = MODEL.dModel();
    boolean[] active = {true, false, true, false, false, false, false, true};
    try (NDManager root = NDManager.newBaseManager();
        ModelParams p = new ModelParams(params, root, root.getDevice(), false);
        NDManager step = root.newSubManager()) {
      ai.djl.ndarray.NDArray x = step.randomNormal(new ai.djl.ndarray.types.Shape(b, t, c));
      ai.djl.ndarray.NDArray open = dept.train.model.SelfAttention.openMask(t, step);
      float[] full = stack.block(0).forward(x, p, open, step, null).toFloatArray();
      dept.train.model.ActiveRows rows = dept.train.model.ActiveRows.of(active, b, t, step);
      assertArrayEquals(new long[] {0, 2, 7}, rows.rows());
      assertEquals(2, rows.perSequence());
      ComputeMeter meter = new ComputeMeter(1);
      var stepped = stack.block(0).forwardRows(x.reshape(b * t, c), rows, p, open, step, meter, 0);
      float[] compact = stepped.stream().toFloatArray();
      float[] before = x.toFloatArray();
      for (int r = 0; r < b * t; r++) {
        for (int k = 0; k < c; k++) {
          int i = r * c + k;
          if (active[r]) {
            assertEquals(full[i], compact[i], 1e-5, "row " + r + " ran: the full block's value");
          } else {
            assertEquals(before[i], compact[i], "row " + r + " did not run: unchanged, bit for bit");
          }
        }
      }
      long hidden = (long) c * MODEL.mlpRatio();
      assertEquals(8L * c * 2 * c + 4L * c * c + 2 * 4L * c * t + 3L * c * c + 2 * 3L * c * hidden, meter.macs());
      assertEquals(3, meter.tokenRows(0));
      assertEquals(8, meter.keyValueRows(0));
    }
  }

  /** With one layer there is one head: its loss still reaches the body (a detached copy would leave only the generator learning). */
  @Test
  void aOneLayerDiscriminatorsLossReachesTheBody() {
    dept.train.model.ModelConfig one = new dept.train.model.ModelConfig(32, 1, 2, 4);
    RtdModel m = new RtdModel(one, vocab, SEQ, config("uniform"));
    DecoderLm lm = new DecoderLm(one, vocab, SEQ);
    NamedTensors params = lm.initBody(4).with(m.initHeads(4)).with(lm.initEmbeddings(4)).with(m.initGenerator(4));
    int[][] batch = val.subList(0, 2).stream().map(x -> Arrays.copyOf(x, SEQ + 1)).toArray(int[][]::new);
    try (NDManager root = NDManager.newBaseManager();
        ModelParams p = new ModelParams(params, root, root.getDevice(), true);
        NDManager step = root.newSubManager();
        ai.djl.training.GradientCollector g = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
      g.backward(m.loss(batch, p, step, new Random(1), null));
      for (String name : List.of("body.exit0.w", "body.h0.mlp.fc.w")) {
        assertTrue(p.get(name).getGradient().abs().max().getFloat() > 0, name + " has a gradient");
      }
    }
  }

  /** The meter's arithmetic on a full pass: what nanoGPT's per-token count gives for these shapes. */
  @Test
  void theMeterChargesTheShapesThatRan() {
    RtdModel m = new RtdModel(MODEL, vocab, SEQ, config("uniform"));
    DecoderLm lm = new DecoderLm(MODEL, vocab, SEQ);
    NamedTensors params = lm.initBody(4).with(m.initHeads(4)).with(lm.initEmbeddings(4));
    int b = 2;
    long[] tokens = new long[b * SEQ];
    Arrays.fill(tokens, 5);
    try (NDManager root = NDManager.newBaseManager();
        ModelParams p = new ModelParams(params, root, root.getDevice(), false);
        NDManager step = root.newSubManager()) {
      ComputeMeter meter = new ComputeMeter(MODEL.layers());
      m.discriminate(tokens, b, SEQ, p, step, 1.0, meter);
      long n = (long) b * SEQ;
      long c = MODEL.dModel();
      long hidden = c * MODEL.mlpRatio();
      long perLayer = n * c * 3 * c + 2 * n * SEQ * c + n * c * c + 2 * n * c * hidden + n * c;
      assertEquals(MODEL.layers() * perLayer, meter.macs());
      RtdEvaluator.Counts counts = new RtdEvaluator.Counts(10, 2, 9, 0, 1, new long[] {5, 8}, new long[] {0, 12}, new long[] {100, 40}, 100,
          List.of(List.of(), List.of()));
      List<RtdEvaluator.Row> rows = RtdEvaluator.rows(counts, List.of(1.0, 0.9), MODEL.layers());
      assertEquals(1.0, rows.get(0).macsFraction());
      assertEquals(0.4, rows.get(1).macsFraction(), 1e-12);
      assertEquals(12 / 30.0, rows.get(1).skippedFraction(), 1e-12);
    }
  }
}
