package dept.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** LayerNorm over the last dimension (width C), gain {@code <name>.g} and bias {@code <name>.b}, eps 1e-5. */
public record LayerNorm(String name, int width) {

  public NDArray forward(NDArray x, Weights w) {
    return x.getNDArrayInternal()
        .layerNorm(x, new Shape(width), w.get(name + ".g"), w.get(name + ".b"), 1e-5f)
        .singletonOrThrow(); // (B, T, C)
  }
}
