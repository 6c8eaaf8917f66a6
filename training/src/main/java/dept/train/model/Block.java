package dept.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** A pre-LN transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x)). */
public record Block(LayerNorm ln1, SelfAttention attn, LayerNorm ln2, FeedForward mlp) {

  /** The block on the residual stream x (B, T, C) under an additive attention mask (T, T). */
  public NDArray forward(NDArray x, Weights w, NDArray mask, NDManager step, AdapterTaps taps) {
    x = x.add(attn.forward(ln1.forward(x, w), w, mask, step)); // (B, T, C)
    return x.add(mlp.forward(ln2.forward(x, w), w, taps)); // (B, T, C)
  }
}
