package dept.train.rtd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dept.prep.tokenizer.SpecialTokens;
import dept.train.model.ActiveRows;
import dept.train.model.Block;
import dept.train.model.ComputeMeter;
import dept.train.model.DecoderLm;
import dept.train.model.InputEmbedder;
import dept.train.model.ModelConfig;
import dept.train.model.SelfAttention;
import dept.train.model.TransformerBlocks;
import dept.train.model.Weights;
import dept.train.params.NamedTensors;
import dept.train.params.Tensor;
import java.util.Arrays;
import java.util.Random;
import java.util.TreeMap;

/**
 * ELECTRA on the DEPT body: a generator corrupts a share of the positions, and the body, run
 * bidirectionally, classifies every token as original or replaced through a head after each layer
 * ({@code body.exitN.*}, shared like the body). The generator ({@code gen.*}: a learned mask row,
 * and for {@code mlm} a narrow bidirectional transformer projected in and out of d_model, reading
 * and predicting through the shared token rows) is input-side, like the embeddings.
 *
 * <p>Early exit: after layer l a token whose head is more confident than the threshold
 * (max(p, 1 - p) > t) is frozen: its hidden state is carried forward unchanged and its later
 * layers are not computed (counted as skipped); its prediction is the one it exited with.
 */
public final class RtdModel {

  public static final String GEN = "gen.";

  private final ModelConfig main;
  private final int vocabSize;
  private final int seqLen;
  private final RtdConfig rtd;
  private final TransformerBlocks body;
  private final ExitHeads heads;
  private final ModelConfig generatorSize;
  private final TransformerBlocks generator;

  public RtdModel(ModelConfig main, int vocabSize, int seqLen, RtdConfig rtd) {
    this.main = main;
    this.vocabSize = vocabSize;
    this.seqLen = seqLen;
    this.rtd = rtd;
    this.body = new TransformerBlocks(main, DecoderLm.BODY);
    this.heads = new ExitHeads(main.layers(), main.dModel());
    int dg = Math.max(main.heads(), (int) Math.round(main.dModel() * rtd.generatorWidth()));
    dg -= dg % main.heads();
    this.generatorSize = new ModelConfig(dg, rtd.generatorLayers(), main.heads(), main.mlpRatio());
    this.generator = new TransformerBlocks(generatorSize, GEN);
  }

  public RtdConfig rtd() {
    return rtd;
  }

  public int layers() {
    return main.layers();
  }

  /** The exit heads, one per layer, named like the body so they are shared with it. */
  public NamedTensors initHeads(long seed) {
    return heads.init(seed);
  }

  /** The generator's parameters: the mask row, and for mlm the narrow transformer and its projections. */
  public NamedTensors initGenerator(long seed) {
    int d = main.dModel();
    TreeMap<String, Tensor> t = new TreeMap<>();
    Tensor mask = TransformerBlocks.normal(seed, GEN + "mask", 0.02, 1, d);
    t.put(GEN + "mask", mask);
    if (rtd.generator() == RtdConfig.Generator.MLM) {
      int dg = generatorSize.dModel();
      t.put(GEN + "in.w", TransformerBlocks.normal(seed, GEN + "in.w", 1 / Math.sqrt(d), d, dg));
      t.put(GEN + "out.w", TransformerBlocks.normal(seed, GEN + "out.w", 1 / Math.sqrt(dg), dg, d));
      generator.init(t, seed);
    }
    return new NamedTensors(t);
  }

  /** A batch corrupted for detection: the discriminator's input and whether each position was replaced. */
  public record Corrupted(long[] tokens, float[] replaced, boolean[] real, NDArray generatorLoss) {}

  /**
   * Masks {@code mask_prob} of the real (non-pad) positions of {@code tokens} (B x T), fills them
   * with the generator's samples, and labels a position replaced iff its sample differs from the
   * original (ELECTRA's labels: a sample equal to the original counts as original).
   *
   * @param unigram token probabilities for the unigram generator (ignored otherwise)
   */
  public Corrupted corrupt(int[][] tokens, Weights w, NDManager step, Random rnd, double[] unigram) {
    int b = tokens.length;
    int t = tokens[0].length;
    long[] flat = new long[b * t];
    boolean[] masked = new boolean[b * t];
    boolean[] real = new boolean[b * t];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < t; j++) {
        int p = i * t + j;
        flat[p] = tokens[i][j];
        real[p] = tokens[i][j] != SpecialTokens.PAD_ID;
        masked[p] = real[p] && rnd.nextDouble() < rtd.maskProb();
      }
    }
    long[] out = flat.clone();
    NDArray genLoss = null;
    if (rtd.generator() == RtdConfig.Generator.MLM) {
      NDArray logits = generatorLogits(flat, masked, b, t, w, step); // (B,T,V)
      NDArray logp = logits.logSoftmax(-1);
      NDArray original = step.create(flat, new Shape(b, t));
      NDArray nll = logp.gather(original.expandDims(-1), -1).squeeze(-1).neg();
      float[] m = new float[b * t];
      for (int p = 0; p < m.length; p++) {
        m[p] = masked[p] ? 1f : 0f;
      }
      NDArray mask = step.create(m, new Shape(b, t));
      genLoss = nll.mul(mask).sum().div(mask.sum().maximum(1f));
      float[] probs = logp.exp().toFloatArray();
      for (int p = 0; p < flat.length; p++) {
        if (masked[p]) {
          out[p] = sample(probs, p * vocabSize, rnd);
        }
      }
    } else {
      for (int p = 0; p < flat.length; p++) {
        if (masked[p]) {
          out[p] = rtd.generator() == RtdConfig.Generator.UNIGRAM ? sampleUnigram(unigram, rnd) : 3 + rnd.nextInt(Math.max(1, vocabSize - 3));
        }
      }
    }
    float[] replaced = new float[flat.length];
    for (int p = 0; p < flat.length; p++) {
      replaced[p] = out[p] != flat[p] ? 1f : 0f;
    }
    return new Corrupted(out, replaced, real, genLoss);
  }

  private NDArray generatorLogits(long[] flat, boolean[] masked, int b, int t, Weights w, NDManager step) {
    NDArray tokens = step.create(flat, new Shape(b, t));
    NDArray wte = w.get(DecoderLm.EMBED + "wte");
    float[] m = new float[b * t];
    for (int p = 0; p < m.length; p++) {
      m[p] = masked[p] ? 1f : 0f;
    }
    NDArray isMasked = step.create(m, new Shape(b, t, 1));
    NDArray x = InputEmbedder.lookup(tokens, wte).mul(isMasked.neg().add(1f)).add(isMasked.mul(w.get(GEN + "mask")));
    NDArray pos = w.get(DecoderLm.EMBED + "wpe").get(new NDIndex("0:{}", t));
    pos.attach(step);
    x = x.add(pos).matMul(w.get(GEN + "in.w"));
    NDArray open = SelfAttention.openMask(t, step);
    for (int l = 0; l < generatorSize.layers(); l++) {
      x = generator.block(l).forward(x, w, open, step, null);
    }
    NDArray h = generator.finalNorm(x, w).matMul(w.get(GEN + "out.w"));
    NDArray wteT = wte.transpose();
    wteT.attach(step);
    return h.matMul(wteT);
  }

  private int sample(float[] probs, int offset, Random rnd) {
    double u = rnd.nextDouble();
    double c = 0;
    for (int v = 0; v < vocabSize; v++) {
      c += probs[offset + v];
      if (u < c) {
        return v;
      }
    }
    return vocabSize - 1;
  }

  private static int sampleUnigram(double[] cdf, Random rnd) {
    int i = Arrays.binarySearch(cdf, rnd.nextDouble());
    return Math.min(cdf.length - 1, i >= 0 ? i : -i - 1);
  }

  /** The cumulative unigram distribution of the blocks' real tokens (add-one smoothed over non-special ids). */
  public static double[] unigramCdf(Iterable<int[]> blocks, int vocabSize) {
    long[] counts = new long[vocabSize];
    for (int[] b : blocks) {
      for (int x : b) {
        if (x >= 0 && x < vocabSize) {
          counts[x]++;
        }
      }
    }
    return unigramCdf(counts);
  }

  /** As {@link #unigramCdf(Iterable, int)} from each token id's count (e.g. {@code UnigramCounts}, counted in Spark). */
  public static double[] unigramCdf(long[] tokenCounts) {
    int vocabSize = tokenCounts.length;
    double[] counts = new double[vocabSize];
    for (int v = SpecialTokens.ALL.size(); v < vocabSize; v++) {
      counts[v] = 1 + tokenCounts[v];
    }
    double total = Arrays.stream(counts).sum();
    double[] cdf = new double[vocabSize];
    double c = 0;
    for (int v = 0; v < vocabSize; v++) {
      c += counts[v] / total;
      cdf[v] = c;
    }
    return cdf;
  }

  /**
   * What the discriminator computed on a batch of B*T positions.
   *
   * @param logits per layer, its head's logits for the rows it ran ({@code rows[l]}, in that order)
   * @param rows per layer, the rows (b * T + t) it ran, ascending; every row when nothing exits
   * @param exitProb each position's probability of "replaced" from the head of the layer it left at
   * @param exitLayer the layer each position left at (the last when it never exited)
   * @param states per layer, the residual stream (B*T, C) after it; an exited row keeps its state
   */
  public record Detection(NDArray[] logits, long[][] rows, float[] exitProb, int[] exitLayer, NDArray[] states) {}

  /**
   * The discriminator over the corrupted tokens with early exit at {@code threshold}: after layer l
   * a position whose head is more confident than the threshold (max(p, 1 - p) > t) leaves. Later
   * layers run only the positions still in (their queries, attention output and MLP, gathered into a
   * compact batch and scattered back); a position that left keeps its hidden state, from which each
   * later layer still computes its key and value so the others can attend to it. Once no position of
   * the batch is left, the remaining layers do not run at all. Threshold 1.0 runs every layer on the
   * whole (B, T, C) batch: the model without exit.
   */
  public Detection discriminate(long[] corrupted, int b, int t, Weights w, NDManager step, double threshold, ComputeMeter meter) {
    int layers = main.layers();
    int n = b * t;
    int c = main.dModel();
    NDArray x = embed(corrupted, b, t, w, step).reshape(n, c); // (B*T, C): rows that leave and rows that stay
    NDArray open = SelfAttention.openMask(t, step);
    NDArray[] logits = new NDArray[layers];
    NDArray[] states = new NDArray[layers];
    long[][] rows = new long[layers][];
    float[] exitProb = new float[n];
    int[] exitLayer = new int[n];
    boolean[] active = new boolean[n];
    Arrays.fill(active, true);
    int left = n;
    for (int l = 0; l < layers; l++) {
      NDArray ran; // (B*T, C) or (A, C)
      if (left == n) { // nobody has left (always at layer 0; every layer at threshold 1.0): the full block
        x = body.block(l).forward(x.reshape(b, t, c), w, open, step, meter, l).reshape(n, c);
        ran = x;
        rows[l] = allRows(n);
      } else if (left > 0) {
        ActiveRows in = ActiveRows.of(active, b, t, step);
        Block.Stepped stepped = body.block(l).forwardRows(x, in, w, open, step, meter, l);
        x = stepped.stream();
        ran = stepped.ran();
        rows[l] = in.rows();
      } else { // nobody is left: neither the layer nor its head runs
        states[l] = x.reshape(b, t, c);
        logits[l] = step.zeros(new Shape(0));
        rows[l] = new long[0];
        continue;
      }
      states[l] = x.reshape(b, t, c);
      logits[l] = heads.logits(l, ran, w); // (rows[l].length)
      meter.head(l, rows[l].length, c);
      float[] z = logits[l].toFloatArray();
      for (int i = 0; i < z.length; i++) {
        int r = (int) rows[l][i];
        float p = (float) (1 / (1 + Math.exp(-z[i])));
        exitProb[r] = p;
        exitLayer[r] = l;
        if (Math.max(p, 1 - p) > threshold) { // never at 1.0
          active[r] = false;
          left--;
        }
      }
    }
    return new Detection(logits, rows, exitProb, exitLayer, states);
  }

  /** The token and position embeddings the discriminator starts from, (B, T, C). */
  public NDArray embed(long[] tokens, int b, int t, Weights w, NDManager step) {
    NDArray ids = step.create(tokens, new Shape(b, t));
    NDArray pos = w.get(DecoderLm.EMBED + "wpe").get(new NDIndex("0:{}", t));
    pos.attach(step);
    return InputEmbedder.lookup(ids, w.get(DecoderLm.EMBED + "wte")).add(pos); // (B, T, C)
  }

  private static long[] allRows(int n) {
    long[] r = new long[n];
    for (int i = 0; i < n; i++) {
      r[i] = i;
    }
    return r;
  }

  /**
   * The discriminator's binary cross-entropy averaged over every (real position, layer) pair it
   * computed: a position that left at layer l counts for layers 0..l only.
   */
  public NDArray detectionLoss(Corrupted c, Detection d, NDManager step) {
    int pairs = Arrays.stream(d.rows()).mapToInt(r -> r.length).sum();
    float[] labels = new float[pairs];
    float[] real = new float[pairs];
    int i = 0;
    for (long[] rows : d.rows()) {
      for (long r : rows) {
        labels[i] = c.replaced()[(int) r];
        real[i] = c.real()[(int) r] ? 1f : 0f;
        i++;
      }
    }
    // (pairs); DJL's concat of one array is a copy detached from autograd, hence the one-layer case apart
    NDArray z = d.logits().length == 1 ? d.logits()[0] : ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(d.logits()));
    NDArray y = step.create(labels);
    NDArray m = step.create(real);
    // Binary cross-entropy with logits, stable form: max(z, 0) - z y + log(1 + exp(-|z|)).
    NDArray bce = z.maximum(0f).sub(z.mul(y)).add(z.abs().neg().exp().add(1f).log());
    return bce.mul(m).sum().div(m.sum().maximum(1f));
  }

  /**
   * The training loss of a batch of blocks (B, T+1; the first T tokens are used): generator MLM
   * loss + lambda x {@link #detectionLoss}, with exit at {@code train_threshold} (the paper's
   * setting when below 1).
   */
  public NDArray loss(int[][] blocks, Weights w, NDManager step, Random rnd, double[] unigram) {
    return loss(blocks, w, step, rnd, unigram, new ComputeMeter(main.layers()));
  }

  /** As {@link #loss(int[][], Weights, NDManager, Random, double[])}, charging the discriminator's work to {@code meter}. */
  public NDArray loss(int[][] blocks, Weights w, NDManager step, Random rnd, double[] unigram, ComputeMeter meter) {
    int b = blocks.length;
    int t = Math.min(seqLen, blocks[0].length - 1);
    int[][] inputs = new int[b][];
    for (int i = 0; i < b; i++) {
      inputs[i] = Arrays.copyOf(blocks[i], t);
    }
    Corrupted c = corrupt(inputs, w, step, rnd, unigram);
    return loss(c, discriminate(c.tokens(), b, t, w, step, rtd.trainThreshold(), meter), step);
  }

  /** Generator loss (mlm) + lambda x the detection loss of {@code d} on {@code c}. */
  public NDArray loss(Corrupted c, Detection d, NDManager step) {
    NDArray total = detectionLoss(c, d, step).mul(step.full(new Shape(), rtd.lambda().floatValue()));
    return c.generatorLoss() == null ? total : total.add(c.generatorLoss());
  }
}
