package dept.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * A pre-LN transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x)).
 *
 * @param hidden the MLP's width (what {@link ComputeMeter} charges per row)
 */
public record Block(LayerNorm ln1, SelfAttention attn, LayerNorm ln2, FeedForward mlp, int hidden) {

  /** The block on the residual stream x (B, T, C) under an additive attention mask (T, T). */
  public NDArray forward(NDArray x, Weights w, NDArray mask, NDManager step, AdapterTaps taps) {
    x = x.add(attn.forward(ln1.forward(x, w), w, mask, step)); // (B, T, C)
    return x.add(mlp.forward(ln2.forward(x, w), w, taps)); // (B, T, C)
  }

  /** As {@link #forward}, charging the work to {@code layer} of {@code meter}: every position runs. */
  public NDArray forward(NDArray x, Weights w, NDArray mask, NDManager step, ComputeMeter meter, int layer) {
    NDArray out = forward(x, w, mask, step, null);
    long[] s = x.getShape().getShape(); // (B, T, C)
    charge(meter, layer, s[0] * s[1], s[0] * s[1], s[0] * s[1], s[1], s[2]);
    return out;
  }

  /** A block run on some rows: the whole new stream (B*T, C) and the new states of the rows that ran (A, C). */
  public record Stepped(NDArray stream, NDArray ran) {}

  /**
   * The block for {@code rows} of x (B*T, C) only: their queries, attention and MLP; every row of x
   * still serves as a key and value (from its current, possibly frozen, state). The new stream's
   * other rows are x's, bit for bit.
   */
  public Stepped forwardRows(NDArray x, ActiveRows rows, Weights w, NDArray mask, NDManager step, ComputeMeter meter, int layer) {
    NDIndex at = new NDIndex("{}", rows.index());
    NDArray h = ln1.forward(x, w); // (B*T, C): every row's keys and values need it
    NDArray xa = x.get(at).add(attn.forwardRows(h, rows, w, mask, step)); // (A, C)
    xa = xa.add(mlp.forward(ln2.forward(xa, w), w, null)); // (A, C)
    // The new stream: xa at the rows that ran, x elsewhere. Not x.duplicate() + set: DJL's duplicate
    // is detached from autograd, and the rows that did not run still pass gradients back (as keys and values).
    NDArray scattered = step.zeros(x.getShape()); // (B*T, C)
    scattered.set(at, xa);
    boolean[] flags = new boolean[(int) x.getShape().get(0)];
    for (long r : rows.rows()) {
      flags[(int) r] = true;
    }
    NDArray ran = step.create(flags, new ai.djl.ndarray.types.Shape(flags.length, 1)).broadcast(x.getShape()); // (B*T, C)
    NDArray out = ai.djl.ndarray.NDArrays.where(ran, scattered, x); // (B*T, C)
    long[] s = x.getShape().getShape(); // (B*T, C)
    // Queries and scores ran for every slot of the per-sequence layout (B x P), the rest for the rows.
    charge(meter, layer, xa.getShape().get(0), (long) rows.batch() * rows.perSequence(), s[0], rows.length(), s[1]);
    return new Stepped(out, xa);
  }

  /**
   * What a block multiplies: keys and values for {@code keyValueRows}; queries and the scores and
   * weighted values against {@code keys} keys for {@code querySlots}; the output projection and the
   * MLP for {@code tokenRows}.
   */
  private void charge(ComputeMeter meter, int layer, long tokenRows, long querySlots, long keyValueRows, long keys, long c) {
    meter.rows(layer, tokenRows, keyValueRows);
    meter.matmul(layer, 1, keyValueRows, c, 2 * c); // keys and values
    meter.matmul(layer, 1, querySlots, c, c); // queries
    meter.matmul(layer, 2, querySlots, c, keys); // q k^T and att v, summed over the heads
    meter.matmul(layer, 1, tokenRows, c, c); // output projection
    meter.matmul(layer, 1, tokenRows, c, hidden); // mlp.fc
    meter.matmul(layer, 1, tokenRows, hidden, c); // mlp.proj
  }
}
