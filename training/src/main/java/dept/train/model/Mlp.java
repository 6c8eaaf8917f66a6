package dept.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/** The block's MLP: proj(gelu(fc(h))), C -> mlp_ratio x C -> C. */
public record Mlp(Projection fc, Projection proj) implements FeedForward {

  @Override
  public NDArray forward(NDArray h, Weights w, AdapterTaps taps) {
    NDArray hidden = Activation.gelu(fc.forward(h, w)); // (B, T, mlp_ratio C)
    return proj.forward(hidden, w); // (B, T, C)
  }
}
