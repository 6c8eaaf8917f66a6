package dept.train.model;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * LoRA around a frozen {@link Linear}: x W + b + (x A) B, with A = {@code ext.<name>.lora_a} (in, r)
 * and B = {@code ext.<name>.lora_b} (r, out). The update is not scaled by alpha / r (scale 1): the
 * extension's init sizes A instead, and B starts at 0 so the wrapped linear starts unchanged.
 */
public record LoraLinear(Linear base) implements Projection {

  public String a() {
    return Extensions.EXT + base.name() + ".lora_a";
  }

  public String b() {
    return Extensions.EXT + base.name() + ".lora_b";
  }

  /** The parameters this wrapper adds. */
  public List<String> names() {
    return List.of(a(), b());
  }

  @Override
  public NDArray forward(NDArray x, Weights w) {
    NDArray y = base.forward(x, w); // (..., out)
    return y.add(x.matMul(w.get(a())).matMul(w.get(b()))); // (..., in) x (in, r) x (r, out)
  }

  @Override
  public NDArray columns(NDArray x, Weights w, long from, long to) {
    NDArray y = base.columns(x, w, from, to); // (..., to - from)
    return y.add(x.matMul(w.get(a())).matMul(w.get(b()).get(":, {}:{}", from, to)));
  }
}
