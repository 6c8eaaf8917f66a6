package dept.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dept.train.params.Tensor;
import java.util.Random;
import java.util.TreeMap;

/**
 * The stack of pre-LN decoder blocks (causal self-attention + GELU MLP) under a name prefix:
 * {@code <prefix>h<l>.*} and the final norm {@code <prefix>lnf}. The main model's body and
 * SCONE's f-gram model are both this design at their own sizes.
 *
 * <p>Optional extension parameters, named {@code ext.<linear>} after what they extend, are applied
 * when the weights have them: LoRA on a linear ({@code ext.<p>.lora_a}, {@code .lora_b}: x W + x A B)
 * and an adapter in parallel with a block's MLP ({@code ext.<prefix>h<l>.adapter.*}: a GLU MLP
 * A(x) = W_o(gelu(W_g x) * W_i x), times a gate g(x) = relu(x w_r + b_r) (or elu) when it has one).
 */
public final class TransformerBlocks {

  /** Extension parameters are named {@code ext.<the name of what they extend>}. */
  public static final String EXT = "ext.";

  /** How an adapter's gate turns its pre-activation into a multiplier. */
  public enum Gate { RELU, ELU }

  private final ModelConfig config;
  private final Gate gate;

  public TransformerBlocks(ModelConfig config) {
    this(config, Gate.RELU);
  }

  public TransformerBlocks(ModelConfig config, Gate gate) {
    this.config = config;
    this.gate = gate;
  }

  public ModelConfig config() {
    return config;
  }

  /** GPT-2 init: N(0, 0.02), residual projections scaled by 1/sqrt(2 layers), seeded per name. */
  public void init(TreeMap<String, Tensor> t, String prefix, long seed) {
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

  static void layerNorm(TreeMap<String, Tensor> t, String name, int c) {
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
    Random rnd = new Random(seed * 1_000_003L + name.hashCode());
    float[] data = new float[rows * cols];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) (rnd.nextGaussian() * std);
    }
    return new Tensor(new long[] {rows, cols}, data);
  }

  /** Every block on the residual stream x (B, T, C); without the final norm. */
  public NDArray forward(NDArray x, Weights w, String prefix, NDManager step) {
    return forward(x, w, prefix, step, null);
  }

  /** As {@link #forward(NDArray, Weights, String, NDManager)}, recording adapter outputs in {@code taps} (may be null). */
  public NDArray forward(NDArray x, Weights w, String prefix, NDManager step, AdapterTaps taps) {
    NDArray mask = causalMask(x.getShape().get(1), step);
    for (int l = 0; l < config.layers(); l++) {
      x = block(x, w, prefix, l, mask, step, taps);
    }
    return x;
  }

  /**
   * Block {@code layer} on the residual stream x (B, T, C) under an additive attention mask (T, T):
   * {@link #causalMask} for a decoder, {@link #openMask} for a bidirectional encoder (ELECTRA's
   * discriminator and generator).
   */
  public NDArray block(NDArray x, Weights w, String prefix, int layer, NDArray mask, NDManager step, AdapterTaps taps) {
    String p = prefix + "h" + layer + ".";
    x = x.add(attention(norm(x, w, p + "ln1"), w, p + "attn.", mask, step));
    NDArray h = norm(x, w, p + "ln2");
    NDArray out = mlp(h, w, p + "mlp.");
    String a = EXT + p + "adapter.";
    if (w.has(a + "wi")) {
      out = out.add(adapter(h, w, a, taps));
    }
    return x.add(out);
  }

  /** Attention mask that lets every position see every other one. */
  public static NDArray openMask(long t, NDManager step) {
    return step.zeros(new Shape(t, t));
  }

  /** The (gated) adapter's output on the MLP's input h. */
  private NDArray adapter(NDArray h, Weights w, String a, AdapterTaps taps) {
    NDArray inner = Activation.gelu(h.matMul(w.get(a + "wg"))).mul(h.matMul(w.get(a + "wi")));
    NDArray out = inner.matMul(w.get(a + "wo"));
    NDArray g = null;
    if (w.has(a + "gate.w")) {
      NDArray z = h.matMul(w.get(a + "gate.w")).add(w.get(a + "gate.b")); // (B,T,1)
      g = gate == Gate.RELU ? Activation.relu(z) : Activation.elu(z, 1f);
      out = out.mul(g);
    }
    if (taps != null) {
      taps.add(out, g);
    }
    return out;
  }

  /** The final LayerNorm {@code <prefix>lnf}. */
  public NDArray finalNorm(NDArray x, Weights w, String prefix) {
    return norm(x, w, prefix + "lnf");
  }

  /** Attention mask that hides the future: -inf above the diagonal. */
  public static NDArray causalMask(long t, NDManager step) {
    float[] m = new float[(int) (t * t)];
    for (int i = 0; i < t; i++) {
      for (int j = i + 1; j < t; j++) {
        m[(int) (i * t + j)] = Float.NEGATIVE_INFINITY;
      }
    }
    return step.create(m, new Shape(t, t));
  }

  /** Multi-head causal self-attention on (B, T, C). */
  private NDArray attention(NDArray x, Weights w, String p, NDArray mask, NDManager step) {
    Shape s = x.getShape();
    long b = s.get(0);
    long t = s.get(1);
    long c = s.get(2);
    int nh = config.heads();
    long hs = config.headSize();
    NDList qkv = linear(x, w, p + "qkv").split(3, 2); // 3 x (B,T,C)
    NDArray q = qkv.get(0).reshape(b, t, nh, hs).transpose(0, 2, 1, 3); // (B,nh,T,hs)
    NDArray k = qkv.get(1).reshape(b, t, nh, hs).transpose(0, 2, 1, 3);
    NDArray v = qkv.get(2).reshape(b, t, nh, hs).transpose(0, 2, 1, 3);
    // The scale is a tensor PyTorch owns: DJL's mul(Number) wraps a Java buffer that it frees right
    // after the forward op, while autograd keeps the scalar for the backward pass, which then read
    // freed memory (gradients that changed with the JVM's garbage collection).
    NDArray scale = step.full(new Shape(), (float) (1.0 / Math.sqrt(hs)));
    NDArray att = q.matMul(k.transpose(0, 1, 3, 2)).mul(scale).add(mask).softmax(-1); // (B,nh,T,T)
    NDArray y = att.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, c); // (B,T,C)
    return linear(y, w, p + "proj");
  }

  private NDArray mlp(NDArray x, Weights w, String p) {
    return linear(Activation.gelu(linear(x, w, p + "fc")), w, p + "proj");
  }

  static NDArray linear(NDArray x, Weights w, String p) {
    NDArray y = x.matMul(w.get(p + ".w")).add(w.get(p + ".b"));
    String lora = EXT + p + ".lora_";
    return w.has(lora + "a") ? y.add(x.matMul(w.get(lora + "a")).matMul(w.get(lora + "b"))) : y;
  }

  private NDArray norm(NDArray x, Weights w, String p) {
    return x.getNDArrayInternal()
        .layerNorm(x, new Shape(config.dModel()), w.get(p + ".g"), w.get(p + ".b"), 1e-5f)
        .singletonOrThrow();
  }
}
