package dept.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import dept.prep.tokenizer.SpecialTokens;
import dept.train.params.NamedTensors;
import dept.train.params.Tensor;
import java.util.Random;
import java.util.TreeMap;

/**
 * A GPT-style decoder, read like nanoGPT's model.py: token + learned position embeddings, pre-LN
 * blocks of causal self-attention and a GELU MLP, a final LayerNorm, logits tied to the token
 * embeddings. Parameters are named, not owned: the <b>embeddings</b> ({@code embed.*}) and the
 * <b>body</b> ({@code body.*}) are separate sets that any source can combine, which is what DEPT
 * trains, sends and averages. Forward passes read a {@link Weights} and create every intermediate
 * in the step's {@link NDManager}, so nothing outlives the step.
 */
public final class DecoderLm {

  public static final String EMBED = "embed.";
  public static final String BODY = "body.";

  private final ModelConfig config;
  private final int vocabSize;
  private final int seqLen;
  private final float[] causalMask;

  public DecoderLm(ModelConfig config, int vocabSize, int seqLen) {
    if (vocabSize < 1 || seqLen < 1) {
      throw new IllegalArgumentException("vocab size and seq_len must be >= 1, got " + vocabSize + ", " + seqLen);
    }
    this.config = config;
    this.vocabSize = vocabSize;
    this.seqLen = seqLen;
    this.causalMask = new float[seqLen * seqLen];
    for (int i = 0; i < seqLen; i++) {
      for (int j = i + 1; j < seqLen; j++) {
        causalMask[i * seqLen + j] = Float.NEGATIVE_INFINITY;
      }
    }
  }

  public ModelConfig config() {
    return config;
  }

  public int vocabSize() {
    return vocabSize;
  }

  public int seqLen() {
    return seqLen;
  }

  // ---- parameters ------------------------------------------------------------------------

  /** Fresh embeddings: N(0, 0.02), seeded per name. */
  public NamedTensors initEmbeddings(long seed) {
    int c = config.dModel();
    TreeMap<String, Tensor> t = new TreeMap<>();
    t.put(EMBED + "wte", normal(seed, EMBED + "wte", 0.02, vocabSize, c));
    t.put(EMBED + "wpe", normal(seed, EMBED + "wpe", 0.02, seqLen, c));
    return new NamedTensors(t);
  }

  /** A fresh body: GPT-2 init (N(0, 0.02), residual projections scaled by 1/sqrt(2 layers)). */
  public NamedTensors initBody(long seed) {
    int c = config.dModel();
    int hidden = c * config.mlpRatio();
    double residual = 0.02 / Math.sqrt(2.0 * config.layers());
    TreeMap<String, Tensor> t = new TreeMap<>();
    for (int l = 0; l < config.layers(); l++) {
      String h = BODY + "h" + l + ".";
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
    layerNorm(t, BODY + "lnf", c);
    return new NamedTensors(t);
  }

  private static void layerNorm(TreeMap<String, Tensor> t, String name, int c) {
    float[] ones = new float[c];
    java.util.Arrays.fill(ones, 1f);
    t.put(name + ".g", new Tensor(new long[] {c}, ones));
    t.put(name + ".b", zeros(c));
  }

  private static Tensor zeros(int n) {
    return new Tensor(new long[] {n}, new float[n]);
  }

  private static Tensor normal(long seed, String name, double std, int rows, int cols) {
    Random rnd = new Random(seed * 1_000_003L + name.hashCode());
    float[] data = new float[rows * cols];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) (rnd.nextGaussian() * std);
    }
    return new Tensor(new long[] {rows, cols}, data);
  }

  // ---- forward ---------------------------------------------------------------------------

  /** Logits (B, T, V) for tokens (B, T) of type int64. */
  public NDArray logits(NDArray tokens, Weights w, NDManager step) {
    long t = tokens.getShape().get(1);
    NDArray wte = w.get(EMBED + "wte");
    NDArray pos = w.get(EMBED + "wpe").get(new NDIndex("0:{}", t));
    pos.attach(step);
    NDArray x = tokens.getNDArrayInternal().embedding(tokens, wte, SparseFormat.DENSE).singletonOrThrow().add(pos); // (B,T,C)
    for (int l = 0; l < config.layers(); l++) {
      x = block(x, w, BODY + "h" + l + ".", step);
    }
    NDArray h = norm(x, w, BODY + "lnf");
    NDArray wteT = wte.transpose();
    wteT.attach(step);
    return h.matMul(wteT); // (B,T,C) x (C,V): weight tying
  }

  private NDArray block(NDArray x, Weights w, String p, NDManager step) {
    x = x.add(attention(norm(x, w, p + "ln1"), w, p + "attn.", step));
    return x.add(mlp(norm(x, w, p + "ln2"), w, p + "mlp."));
  }

  /** Multi-head causal self-attention on (B, T, C). */
  private NDArray attention(NDArray x, Weights w, String p, NDManager step) {
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
    NDArray mask = step.create(maskFor((int) t), new Shape(t, t));
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

  private static NDArray linear(NDArray x, Weights w, String p) {
    return x.matMul(w.get(p + ".w")).add(w.get(p + ".b"));
  }

  private NDArray norm(NDArray x, Weights w, String p) {
    return x.getNDArrayInternal()
        .layerNorm(x, new Shape(config.dModel()), w.get(p + ".g"), w.get(p + ".b"), 1e-5f)
        .singletonOrThrow();
  }

  private float[] maskFor(int t) {
    if (t == seqLen) {
      return causalMask;
    }
    float[] m = new float[t * t];
    for (int i = 0; i < t; i++) {
      for (int j = i + 1; j < t; j++) {
        m[i * t + j] = Float.NEGATIVE_INFINITY;
      }
    }
    return m;
  }

  // ---- loss ------------------------------------------------------------------------------

  /** Per-token loss of a batch of blocks (B, T+1): the NLL of each next token and its mask. */
  public record TokenLoss(NDArray nll, NDArray mask) {
    /** Mean NLL over the real (non-pad) targets: the training loss. */
    public NDArray mean() {
      return nll.mul(mask).sum().div(mask.sum().maximum(1f));
    }
  }

  public TokenLoss tokenLoss(NDArray blocks, Weights w, NDManager step) {
    long t = blocks.getShape().get(1) - 1;
    NDArray inputs = blocks.get(new NDIndex(":, 0:{}", t));
    NDArray targets = blocks.get(new NDIndex(":, 1:{}", t + 1));
    NDArray logp = logits(inputs, w, step).logSoftmax(-1); // (B,T,V)
    NDArray nll = logp.gather(targets.expandDims(-1), -1).squeeze(-1).neg(); // (B,T)
    NDArray mask = targets.neq(SpecialTokens.PAD_ID).toType(DataType.FLOAT32, false);
    return new TokenLoss(nll, mask);
  }
}
