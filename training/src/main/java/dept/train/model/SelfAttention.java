package dept.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Multi-head self-attention under an additive mask (T, T): {@link #causalMask} for a decoder,
 * {@link #openMask} for a bidirectional encoder (ELECTRA's discriminator and generator). One
 * projection {@code qkv} makes queries, keys and values; {@code proj} mixes the heads back.
 */
public record SelfAttention(int heads, Projection qkv, Projection proj) {

  public NDArray forward(NDArray x, Weights w, NDArray mask, NDManager step) {
    Shape s = x.getShape(); // (B, T, C)
    long b = s.get(0);
    long t = s.get(1);
    long c = s.get(2);
    long hs = c / heads;
    NDList split = qkv.forward(x, w).split(3, 2); // 3 x (B, T, C)
    NDArray q = split.get(0).reshape(b, t, heads, hs).transpose(0, 2, 1, 3); // (B, nh, T, hs)
    NDArray k = split.get(1).reshape(b, t, heads, hs).transpose(0, 2, 1, 3); // (B, nh, T, hs)
    NDArray v = split.get(2).reshape(b, t, heads, hs).transpose(0, 2, 1, 3); // (B, nh, T, hs)
    // The scale is a tensor PyTorch owns: DJL's mul(Number) wraps a Java buffer that it frees right
    // after the forward op, while autograd keeps the scalar for the backward pass, which then read
    // freed memory (gradients that changed with the JVM's garbage collection).
    NDArray scale = step.full(new Shape(), (float) (1.0 / Math.sqrt(hs))); // ()
    NDArray att = q.matMul(k.transpose(0, 1, 3, 2)).mul(scale).add(mask).softmax(-1); // (B, nh, T, T)
    NDArray y = att.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, c); // (B, nh, T, hs) -> (B, T, C)
    return proj.forward(y, w); // (B, T, C)
  }

  /**
   * Attention for {@code rows} of h (B*T, C) only: their queries against the keys and values of
   * every position of their own sequence, laid out per sequence (B, P) so one batched product
   * serves them. Returns (A, C), as {@link #forward} would for those rows.
   */
  public NDArray forwardRows(NDArray h, ActiveRows rows, Weights w, NDArray mask, NDManager step) {
    long c = h.getShape().get(1);
    long b = rows.batch();
    long t = rows.length();
    long p = rows.perSequence();
    long hs = c / heads;
    NDList kv = qkv.columns(h, w, c, 3 * c).split(2, 1); // 2 x (B*T, C)
    NDArray k = kv.get(0).reshape(b, t, heads, hs).transpose(0, 2, 1, 3); // (B, nh, T, hs)
    NDArray v = kv.get(1).reshape(b, t, heads, hs).transpose(0, 2, 1, 3); // (B, nh, T, hs)
    NDArray q = qkv.columns(h.get(new NDIndex("{}", rows.padded())), w, 0, c) // (B*P, C)
        .reshape(b, p, heads, hs).transpose(0, 2, 1, 3); // (B, nh, P, hs)
    NDArray slotMask = mask.get(new NDIndex("{}", rows.paddedPosition())).reshape(b, 1, p, t); // (B, 1, P, T)
    NDArray scale = step.full(new Shape(), (float) (1.0 / Math.sqrt(hs))); // ()
    NDArray att = q.matMul(k.transpose(0, 1, 3, 2)).mul(scale).add(slotMask).softmax(-1); // (B, nh, P, T)
    NDArray y = att.matMul(v).transpose(0, 2, 1, 3).reshape(b * p, c); // (B, nh, P, hs) -> (B*P, C)
    return proj.forward(y.get(new NDIndex("{}", rows.slots())), w); // (A, C)
  }

  /** Attention mask that hides the future: -inf above the diagonal. */
  public static NDArray causalMask(long t, NDManager step) {
    float[] m = new float[(int) (t * t)];
    for (int i = 0; i < t; i++) {
      for (int j = i + 1; j < t; j++) {
        m[(int) (i * t + j)] = Float.NEGATIVE_INFINITY;
      }
    }
    return step.create(m, new Shape(t, t)); // (T, T)
  }

  /** Attention mask that lets every position see every other one. */
  public static NDArray openMask(long t, NDManager step) {
    return step.zeros(new Shape(t, t)); // (T, T)
  }
}
