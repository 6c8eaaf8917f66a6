package dept.train.model;

import ai.djl.ndarray.NDArray;

/** An MLP with an adapter beside it, both reading h: mlp(h) + adapter(h). */
public record AdaptedMlp(Mlp mlp, FeedForward adapter) implements FeedForward {

  @Override
  public NDArray forward(NDArray h, Weights w, AdapterTaps taps) {
    NDArray out = mlp.forward(h, w, taps); // (B, T, C)
    return out.add(adapter.forward(h, w, taps)); // (B, T, C)
  }
}
