package dept.train.model;

import ai.djl.ndarray.NDArray;

/** What a block adds to the residual stream after its second LayerNorm: (B, T, C) -> (B, T, C). */
public interface FeedForward {

  /** The output on h (B, T, C); adapters record theirs in {@code taps} (may be null). */
  NDArray forward(NDArray h, Weights w, AdapterTaps taps);
}
