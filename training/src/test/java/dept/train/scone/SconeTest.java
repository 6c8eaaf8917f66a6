package dept.train.scone;

import dept.train.SampleCorpus;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dept.prep.ngram.FgramMatcher;
import dept.prep.tokenizer.BpeModel;
import dept.prep.tokenizer.SpecialTokens;
import dept.train.local.AdamW;
import dept.train.local.Batches;
import dept.train.local.BlockBatches;
import dept.train.local.Evaluator;
import dept.train.local.LocalTrainer;
import dept.train.local.OptimConfig;
import dept.train.model.DecoderLm;
import dept.train.model.ModelConfig;
import dept.train.model.ModelParams;
import dept.train.params.NamedTensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SCONE on the English sample, without Spark: the lookup table gives the f-gram model's logits,
 * keys round-trip, the f-gram model learns through the main loss, and SCONE beats the same main
 * model without it.
 */
class SconeTest {

  private static final ModelConfig MAIN = new ModelConfig(64, 1, 4, 4);
  private static final int SEQ = 64;
  private static List<int[]> train;
  private static List<int[]> val;
  private static List<int[]> fgrams;
  private static int vocab;
  private static int[] tokenBytes;

  @BeforeAll
  static void sample() throws Exception {
    SampleCorpus.Split en = SampleCorpus.documents("en");
    BpeModel bpe = SampleCorpus.bpe(en.train(), 512);
    train = SampleCorpus.blocks(en.train(), bpe, SEQ);
    val = SampleCorpus.blocks(en.val(), bpe, SEQ);
    vocab = bpe.vocabSize();
    tokenBytes = new int[vocab];
    for (int id = BpeModel.FIRST_BYTE_ID; id < vocab; id++) {
      tokenBytes[id] = bpe.tokenBytes(id).length;
    }
    fgrams = topFgrams(train, 4, 2, 4000);
  }

  /** The ngrams stage's selection in miniature: 2..maxN-grams inside documents, by count, then length, then ids. */
  static List<int[]> topFgrams(List<int[]> blocks, int maxN, int minCount, int k) {
    Map<List<Integer>, Integer> counts = new HashMap<>();
    for (int[] b : blocks) {
      for (int i = 0; i < b.length; i++) {
        for (int n = 2; n <= maxN && i + n <= b.length; n++) {
          int[] g = Arrays.copyOfRange(b, i, i + n);
          if (Arrays.stream(g).anyMatch(t -> t == SpecialTokens.EOS_ID || t == SpecialTokens.PAD_ID)) {
            break;
          }
          counts.merge(Arrays.stream(g).boxed().toList(), 1, Integer::sum);
        }
      }
    }
    return counts.entrySet().stream().filter(e -> e.getValue() >= minCount)
        .sorted((a, b) -> a.getValue().equals(b.getValue())
            ? (a.getKey().size() != b.getKey().size() ? a.getKey().size() - b.getKey().size()
                : Arrays.compare(a.getKey().stream().mapToInt(i -> i).toArray(), b.getKey().stream().mapToInt(i -> i).toArray()))
            : b.getValue() - a.getValue())
        .limit(k).map(e -> e.getKey().stream().mapToInt(i -> i).toArray()).toList();
  }

  /** {@code replace} or {@code add}; {@code -nonorm} drops the f-gram model's final LayerNorm. */
  private static SconeConfig scone(String mode) {
    boolean norm = !mode.endsWith("-nonorm");
    String m = mode.replace("-nonorm", "").toUpperCase(java.util.Locale.ROOT);
    return new SconeConfig(SconeConfig.Mode.valueOf(m), 0, 4, 1, null, null, null, 256, null, norm);
  }

  private static NamedTensors inputs(DecoderLm lm, FgramModel f, long seed) {
    return lm.initEmbeddings(seed).with(f.init(seed));
  }

  private static DecoderLm withModel(FgramModel f, SconeConfig s) {
    return new DecoderLm(MAIN, vocab, SEQ).withInput(new FgramInput(f, new FgramMatcher(s.usable(fgrams))));
  }

  private static FgramEmbeddingStore table(SconeConfig s, NamedTensors in) {
    FgramEmbeddingStore.Builder b = new FgramEmbeddingStore.Builder(MAIN.dModel());
    List<int[]> keys = new ArrayList<>(s.usable(fgrams));
    IntStream.range(0, vocab).forEach(t -> keys.add(new int[] {t}));
    new FgramPrecompute(s, MAIN).run(in, keys.iterator(), b::add);
    return b.build();
  }

  private static float[] logits(DecoderLm lm, NamedTensors params, List<int[]> blocks) {
    try (NDManager root = NDManager.newBaseManager();
        ModelParams p = new ModelParams(params, root, root.getDevice(), false);
        NDManager step = p.manager().newSubManager()) {
      int[][] batch = blocks.stream().map(b -> Arrays.copyOf(b, SEQ)).toArray(int[][]::new);
      return lm.logits(Batches.toArray(batch, step), p, step).toFloatArray();
    }
  }

  private static LocalTrainer.Result train(DecoderLm lm, NamedTensors body, NamedTensors in, int steps) {
    OptimConfig optim = new OptimConfig(3e-3, 3e-4, 10, 0.1, null, null, null, 1.0, 8);
    return new LocalTrainer(lm, optim, steps, "scone-test", 0)
        .train(body, in, AdamW.State.fresh(body.with(in)), new BlockBatches(train, 8, 3), steps, 0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"replace", "add", "replace-nonorm"})
  void logitsFromTheLookupTableEqualLogitsFromTheFgramModel(String mode) {
    SconeConfig s = scone(mode);
    FgramModel f = new FgramModel(s, MAIN);
    DecoderLm viaModel = withModel(f, s);
    NamedTensors body = viaModel.initBody(5);
    LocalTrainer.Result trained = train(viaModel, body, inputs(viaModel, f, 5), 30); // not just the init
    NamedTensors params = trained.body().with(trained.embeddings());
    try (FgramEmbeddingStore store = table(s, trained.embeddings())) {
      DecoderLm viaTable = new DecoderLm(MAIN, vocab, SEQ).withInput(new TableInput(store));
      List<int[]> blocks = val.subList(0, 16);
      float[] a = logits(viaModel, params, blocks);
      float[] b = logits(viaTable, params, blocks);
      float max = 0;
      for (int i = 0; i < a.length; i++) {
        max = Math.max(max, Math.abs(a[i] - b[i]));
      }
      assertTrue(max < 1e-5, mode + ": max |logit difference| " + max);
      float[] plain = logits(new DecoderLm(MAIN, vocab, SEQ), params, blocks);
      assertNotEquals(Arrays.hashCode(plain), Arrays.hashCode(a), "the f-grams change the logits");
    }
  }

  @Test
  void theTableHoldsEveryFgramAndTokenAndItsKeysRoundTrip() {
    SconeConfig s = scone("replace").withFgrams(1000);
    FgramModel f = new FgramModel(s, MAIN);
    NamedTensors in = inputs(new DecoderLm(MAIN, vocab, SEQ), f, 9);
    try (FgramEmbeddingStore store = table(s, in)) {
      assertEquals(1000 + vocab, store.rows());
      assertEquals(1000, store.fgrams());
      assertEquals(vocab, store.vocabSize());
      float[] row = new float[MAIN.dModel()];
      for (int t = 0; t < vocab; t += 37) {
        store.copyRow(store.rowOf(new int[] {t}), row, 0);
        assertArrayEquals(Arrays.copyOfRange(in.get("embed.wte").data(), t * 64, t * 64 + 64), row, "token " + t);
      }
      List<int[]> used = s.usable(fgrams);
      for (int[] g : used) {
        assertTrue(store.rowOf(g) >= 0, Arrays.toString(g));
      }
      assertEquals(-1, store.rowOf(fgrams.get(3999)), "an f-gram beyond the first 1000 is not in the table");
    }
  }

  @Test
  void theFinalLayerNormNormalisesEachFgramEmbeddingAndIsAnOption() {
    List<int[]> keys = scone("replace").usable(fgrams).subList(0, 200);
    for (boolean norm : new boolean[] {true, false}) {
      SconeConfig s = scone(norm ? "replace" : "replace-nonorm");
      FgramModel f = new FgramModel(s, MAIN);
      NamedTensors in = inputs(new DecoderLm(MAIN, vocab, SEQ), f, 3);
      assertEquals(norm, in.names().contains("scone.lnf.g"), "scone.lnf.* exist only with the final norm");
      FgramEmbeddingStore.Builder b = new FgramEmbeddingStore.Builder(MAIN.dModel());
      new FgramPrecompute(s, MAIN).run(in, keys.iterator(), b::add);
      try (FgramEmbeddingStore store = b.build()) {
        float[] row = new float[MAIN.dModel()];
        double sd = 0;
        double mean = 0;
        for (int[] g : keys) {
          store.copyRow(store.rowOf(g), row, 0);
          double m = 0;
          for (float v : row) {
            m += v / row.length;
          }
          double var = 0;
          for (float v : row) {
            var += (v - m) * (v - m) / row.length;
          }
          mean = Math.max(mean, Math.abs(m));
          sd += Math.sqrt(var) / keys.size();
        }
        if (norm) { // gain 1 and bias 0 at init: each row has mean 0 and unit variance
          assertEquals(1.0, sd, 0.01);
          assertTrue(mean < 1e-4, "row mean " + mean);
        } else { // the residual stream: the token rows' scale (0.02) plus the block's small contributions
          assertTrue(sd < 0.2, "row sd " + sd);
        }
      }
    }
  }

  @Test
  void theFgramModelAndTheTokenRowsLearnThroughTheMainLoss() {
    SconeConfig s = scone("replace");
    FgramModel f = new FgramModel(s, MAIN);
    DecoderLm lm = withModel(f, s);
    NamedTensors in = inputs(lm, f, 2);
    LocalTrainer.Result r = train(lm, lm.initBody(2), in, 3);
    for (String name : in.names()) {
      assertNotEquals(in.get(name), r.embeddings().get(name), name + " moved");
    }
  }

  @Test
  void aBatchWithoutAnyFgramStillTrains() {
    SconeConfig s = scone("replace");
    FgramModel f = new FgramModel(s, MAIN);
    DecoderLm lm = withModel(f, s);
    NamedTensors in = inputs(lm, f, 2);
    int[] pads = new int[SEQ + 1];
    Arrays.fill(pads, SpecialTokens.PAD_ID);
    pads[0] = 300;
    pads[1] = 301;
    List<int[]> none = List.of(pads);
    OptimConfig optim = new OptimConfig(3e-3, 3e-4, 1, 0.1, null, null, null, 1.0, 1);
    LocalTrainer.Result r = new LocalTrainer(lm, optim, 2, "no-fgrams", 0)
        .train(lm.initBody(2), in, AdamW.State.fresh(lm.initBody(2).with(in)), new BlockBatches(none, 1, 1), 2, 0);
    assertEquals(0, r.metrics().skippedSteps());
    assertTrue(Float.isFinite(r.metrics().lastLoss()));
  }

  @Test
  void sconeReachesLowerValidationLossThanTheSameMainModelWithoutIt() {
    int steps = 150;
    DecoderLm plain = new DecoderLm(MAIN, vocab, SEQ);
    NamedTensors body = plain.initBody(4);
    LocalTrainer.Result base = train(plain, body, plain.initEmbeddings(4), steps);
    SconeConfig s = scone("replace");
    FgramModel f = new FgramModel(s, MAIN);
    DecoderLm scone = withModel(f, s);
    LocalTrainer.Result withScone = train(scone, body, inputs(scone, f, 4), steps);
    double plainLoss = new Evaluator(plain, 16).evaluate(base.body(), base.embeddings(), val, tokenBytes).meanLoss();
    double sconeLoss = new Evaluator(scone, 16).evaluate(withScone.body(), withScone.embeddings(), val, tokenBytes).meanLoss();
    System.out.printf("SCONE val loss %.4f, plain %.4f%n", sconeLoss, plainLoss);
    assertTrue(sconeLoss < plainLoss, "SCONE " + sconeLoss + " vs plain " + plainLoss);
  }
}
