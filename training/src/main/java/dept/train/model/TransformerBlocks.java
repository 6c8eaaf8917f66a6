package dept.train.model;

import dept.train.random.Seeds;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dept.train.params.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * The stack of pre-LN {@link Block}s (self-attention + GELU MLP) under a name prefix:
 * {@code <prefix>h<l>.*} and the final norm {@code <prefix>lnf}. The main model's body, SCONE's
 * f-gram model and ELECTRA's generator are all this design at their own sizes.
 *
 * <p>The {@link Extensions} it is built with wrap its pieces: a {@link LoraLinear} around a linear,
 * an {@link Adapter} or {@link GatedAdapter} beside a block's MLP.
 */
public final class TransformerBlocks {

  private final ModelConfig config;
  private final String prefix;
  private final List<Block> blocks = new ArrayList<>();
  private final LayerNorm lnf;

  public TransformerBlocks(ModelConfig config, String prefix) {
    this(config, prefix, Extensions.NONE);
  }

  /** @throws IllegalArgumentException naming an extension parameter that no piece of this stack owns */
  public TransformerBlocks(ModelConfig config, String prefix, Extensions extensions) {
    this.config = config;
    this.prefix = prefix;
    int c = config.dModel();
    ExtensionBinding ext = new ExtensionBinding(extensions);
    for (int l = 0; l < config.layers(); l++) {
      String h = prefix + "h" + l + ".";
      SelfAttention attn = new SelfAttention(config.heads(), ext.linear(h + "attn.qkv"), ext.linear(h + "attn.proj"));
      Mlp mlp = new Mlp(ext.linear(h + "mlp.fc"), ext.linear(h + "mlp.proj"));
      blocks.add(new Block(new LayerNorm(h + "ln1", c), attn, new LayerNorm(h + "ln2", c), ext.mlp(prefix + "h" + l, mlp),
          c * config.mlpRatio()));
    }
    ext.requireAllBound();
    this.lnf = new LayerNorm(prefix + "lnf", c);
  }

  public ModelConfig config() {
    return config;
  }

  /** The names and shapes {@link #init} fills, without values: for sizing models no process could hold. */
  public java.util.Map<String, long[]> shapes() {
    long c = config.dModel();
    long hidden = c * config.mlpRatio();
    java.util.Map<String, long[]> s = new TreeMap<>();
    for (int l = 0; l < config.layers(); l++) {
      String h = prefix + "h" + l + ".";
      for (String ln : java.util.List.of(h + "ln1", h + "ln2")) {
        s.put(ln + ".g", new long[] {c});
        s.put(ln + ".b", new long[] {c});
      }
      s.put(h + "attn.qkv.w", new long[] {c, 3 * c});
      s.put(h + "attn.qkv.b", new long[] {3 * c});
      s.put(h + "attn.proj.w", new long[] {c, c});
      s.put(h + "attn.proj.b", new long[] {c});
      s.put(h + "mlp.fc.w", new long[] {c, hidden});
      s.put(h + "mlp.fc.b", new long[] {hidden});
      s.put(h + "mlp.proj.w", new long[] {hidden, c});
      s.put(h + "mlp.proj.b", new long[] {c});
    }
    s.put(prefix + "lnf.g", new long[] {c});
    s.put(prefix + "lnf.b", new long[] {c});
    return s;
  }

  /** GPT-2 init: N(0, 0.02), residual projections scaled by 1/sqrt(2 layers), seeded per name. */
  public void init(TreeMap<String, Tensor> t, long seed) {
    int c = config.dModel();
    int hidden = c * config.mlpRatio();
    double residual = 0.02 / Math.sqrt(2.0 * config.layers());
    for (int l = 0; l < config.layers(); l++) {
      String h = prefix + "h" + l + ".";
      layerNorm(t, h + "ln1", c);
      t.put(h + "attn.qkv.w", normal(seed, h + "attn.qkv.w", 0.02, c, 3 * c));
      t.put(h + "attn.qkv.b", zeros(3 * c));
      t.put(h + "attn.proj.w", normal(seed, h + "attn.proj.w", residual, c, c));
      t.put(h + "attn.proj.b", zeros(c));
      layerNorm(t, h + "ln2", c);
      t.put(h + "mlp.fc.w", normal(seed, h + "mlp.fc.w", 0.02, c, hidden));
      t.put(h + "mlp.fc.b", zeros(hidden));
      t.put(h + "mlp.proj.w", normal(seed, h + "mlp.proj.w", residual, hidden, c));
      t.put(h + "mlp.proj.b", zeros(c));
    }
    layerNorm(t, prefix + "lnf", c);
  }

  /** A LayerNorm's gain (ones) and bias (zeros) under {@code name}. */
  public static void layerNorm(TreeMap<String, Tensor> t, String name, int c) {
    float[] ones = new float[c];
    java.util.Arrays.fill(ones, 1f);
    t.put(name + ".g", new Tensor(new long[] {c}, ones));
    t.put(name + ".b", zeros(c));
  }

  static Tensor zeros(int n) {
    return new Tensor(new long[] {n}, new float[n]);
  }

  /** An N(0, std^2) matrix, seeded by the run seed and the tensor's name. */
  public static Tensor normal(long seed, String name, double std, int rows, int cols) {
    Random rnd = new Random(Seeds.derive(seed, "init", name));
    float[] data = new float[rows * cols];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) (rnd.nextGaussian() * std);
    }
    return new Tensor(new long[] {rows, cols}, data);
  }

  /** Every block, causally, on the residual stream x (B, T, C); without the final norm. */
  public NDArray forward(NDArray x, Weights w, NDManager step) {
    return forward(x, w, step, null);
  }

  /** As {@link #forward(NDArray, Weights, NDManager)}, recording adapter outputs in {@code taps} (may be null). */
  public NDArray forward(NDArray x, Weights w, NDManager step, AdapterTaps taps) {
    NDArray mask = SelfAttention.causalMask(x.getShape().get(1), step); // (T, T)
    for (Block block : blocks) {
      x = block.forward(x, w, mask, step, taps); // (B, T, C)
    }
    return x;
  }

  /** Block {@code layer}, for callers that step through the layers (ELECTRA's early exit). */
  public Block block(int layer) {
    return blocks.get(layer);
  }

  /** The final LayerNorm {@code <prefix>lnf}. */
  public NDArray finalNorm(NDArray x, Weights w) {
    return lnf.forward(x, w); // (B, T, C)
  }
}
