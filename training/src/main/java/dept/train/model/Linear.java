package dept.train.model;

import ai.djl.ndarray.NDArray;

/** nn.Linear: x W + b, with W = {@code <name>.w} (in, out) and b = {@code <name>.b} (out). */
public record Linear(String name) implements Projection {

  @Override
  public NDArray forward(NDArray x, Weights w) {
    return x.matMul(w.get(name + ".w")).add(w.get(name + ".b")); // (..., out)
  }

  @Override
  public NDArray columns(NDArray x, Weights w, long from, long to) {
    NDArray weight = w.get(name + ".w").get(":, {}:{}", from, to); // (in, to - from), a view
    NDArray bias = w.get(name + ".b").get("{}:{}", from, to);
    return x.matMul(weight).add(bias); // (..., to - from)
  }
}
