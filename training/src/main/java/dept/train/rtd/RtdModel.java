package dept.train.rtd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dept.prep.tokenizer.SpecialTokens;
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
  private final ModelConfig generatorSize;
  private final TransformerBlocks generator;

  public RtdModel(ModelConfig main, int vocabSize, int seqLen, RtdConfig rtd) {
    this.main = main;
    this.vocabSize = vocabSize;
    this.seqLen = seqLen;
    this.rtd = rtd;
    this.body = new TransformerBlocks(main, DecoderLm.BODY);
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

  private static String exit(int l) {
    return DecoderLm.BODY + "exit" + l + ".";
  }

  /** The exit heads, one per layer, named like the body so they are shared with it. */
  public NamedTensors initHeads(long seed) {
    TreeMap<String, Tensor> t = new TreeMap<>();
    for (int l = 0; l < main.layers(); l++) {
      t.put(exit(l) + "w", TransformerBlocks.normal(seed, exit(l) + "w", 0.02, main.dModel(), 1));
      t.put(exit(l) + "b", new Tensor(new long[] {1}, new float[1]));
    }
    return new NamedTensors(t);
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

  /** Per layer, each position's probability of "replaced" (B*T floats), and the layer each position exited at. */
  public record Detection(NDArray exitLogits, float[][] probs, int[] exitLayer) {}

  /**
   * The discriminator over the corrupted tokens, with early exit at {@code threshold} (1.0: none).
   * {@code exitLogits} is (L, B, T) for the loss; the exit bookkeeping is read back when
   * {@code record} (evaluation).
   */
  public Detection discriminate(long[] corrupted, int b, int t, Weights w, NDManager step, double threshold, boolean record) {
    NDArray tokens = step.create(corrupted, new Shape(b, t));
    NDArray pos = w.get(DecoderLm.EMBED + "wpe").get(new NDIndex("0:{}", t));
    pos.attach(step);
    NDArray x = InputEmbedder.lookup(tokens, w.get(DecoderLm.EMBED + "wte")).add(pos);
    NDArray open = SelfAttention.openMask(t, step);
    NDArray active = step.ones(new Shape(b, t, 1));
    NDArray[] logits = new NDArray[main.layers()];
    float[][] probs = record ? new float[main.layers()][] : null;
    for (int l = 0; l < main.layers(); l++) {
      NDArray next = body.block(l).forward(x, w, open, step, null);
      x = threshold >= 1.0 ? next : next.mul(active).add(x.mul(active.neg().add(1f)));
      NDArray h = body.finalNorm(x, w);
      logits[l] = h.matMul(w.get(exit(l) + "w")).add(w.get(exit(l) + "b")).squeeze(-1); // (B,T)
      if (threshold < 1.0) {
        NDArray p = ai.djl.nn.Activation.sigmoid(logits[l].stopGradient()).expandDims(-1);
        NDArray confident = p.maximum(p.neg().add(1f)).gt(threshold).toType(DataType.FLOAT32, false);
        active = active.mul(confident.neg().add(1f));
      }
      if (record) {
        probs[l] = ai.djl.nn.Activation.sigmoid(logits[l]).toFloatArray();
      }
    }
    int[] exitLayer = null;
    if (record) {
      exitLayer = new int[b * t];
      for (int p = 0; p < b * t; p++) {
        int at = main.layers() - 1;
        for (int l = 0; l < main.layers() - 1; l++) {
          double pr = probs[l][p];
          if (Math.max(pr, 1 - pr) > threshold) {
            at = l;
            break;
          }
        }
        exitLayer[p] = at;
      }
    }
    return new Detection(ai.djl.ndarray.NDArrays.stack(new ai.djl.ndarray.NDList(logits), 0), probs, exitLayer);
  }

  /**
   * The training loss of a batch of blocks (B, T+1; the first T tokens are used): generator MLM
   * loss + lambda x the discriminator's binary cross-entropy averaged over the exit heads and the
   * real positions.
   */
  public NDArray loss(int[][] blocks, Weights w, NDManager step, Random rnd, double[] unigram) {
    int b = blocks.length;
    int t = Math.min(seqLen, blocks[0].length - 1);
    int[][] inputs = new int[b][];
    for (int i = 0; i < b; i++) {
      inputs[i] = Arrays.copyOf(blocks[i], t);
    }
    Corrupted c = corrupt(inputs, w, step, rnd, unigram);
    Detection d = discriminate(c.tokens(), b, t, w, step, rtd.trainThreshold(), false);
    NDArray labels = step.create(c.replaced(), new Shape(1, b, t));
    float[] realMask = new float[b * t];
    for (int p = 0; p < realMask.length; p++) {
      realMask[p] = c.real()[p] ? 1f : 0f;
    }
    NDArray real = step.create(realMask, new Shape(1, b, t));
    NDArray z = d.exitLogits(); // (L,B,T)
    // Binary cross-entropy with logits, stable form: max(z, 0) - z y + log(1 + exp(-|z|)).
    NDArray bce = z.maximum(0f).sub(z.mul(labels)).add(z.abs().neg().exp().add(1f).log());
    NDArray disc = bce.mul(real).sum().div(real.sum().mul(step.full(new Shape(), (float) main.layers())).maximum(1f));
    NDArray total = disc.mul(step.full(new Shape(), rtd.lambda().floatValue()));
    return c.generatorLoss() == null ? total : total.add(c.generatorLoss());
  }
}
