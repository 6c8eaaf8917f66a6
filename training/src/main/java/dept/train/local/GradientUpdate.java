package dept.train.local;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One optimiser update from the gradients autograd left on the trainable arrays: read (and clear)
 * each gradient, clip the global norm, apply AdamW on host copies and write the values back. A
 * non-finite gradient skips the whole update, as mixed-precision loss scaling does, so one bad
 * batch cannot turn every parameter into NaN.
 */
public final class GradientUpdate {

  /** @param nonFinite the tensors whose gradient held NaN or Inf (the update was skipped when non-empty) */
  public record Outcome(double norm, List<String> nonFinite) {
    public boolean applied() {
      return nonFinite.isEmpty();
    }
  }

  private GradientUpdate() {}

  /**
   * @param zeroMissing a tensor the loss did not depend on this step (PyTorch has no gradient for
   *     it) counts as a zero gradient (true: moments still decay) or is left out of the update
   *     (false: as PyTorch's optimisers skip a None gradient)
   */
  public static Outcome apply(Map<String, NDArray> arrays, AdamW adam, double lr, double clip, NDManager step, boolean zeroMissing) {
    Map<String, float[]> values = new TreeMap<>();
    Map<String, float[]> grads = new TreeMap<>();
    double sumSquares = 0;
    for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
      float[] gf;
      NDArray g = gradientOrNull(e.getValue());
      if (g != null) {
        g.attach(step);
        gf = g.toFloatArray();
        g.subi(g); // PyTorch accumulates gradients: clear them for the next step
      } else if (zeroMissing) {
        gf = new float[(int) e.getValue().size()];
      } else {
        continue;
      }
      for (float x : gf) {
        sumSquares += (double) x * x;
      }
      grads.put(e.getKey(), gf);
      values.put(e.getKey(), e.getValue().toFloatArray());
    }
    double norm = Math.sqrt(sumSquares);
    if (!Double.isFinite(norm)) {
      List<String> bad = new ArrayList<>();
      grads.forEach((n, g) -> {
        for (float x : g) {
          if (!Float.isFinite(x)) {
            bad.add(n);
            break;
          }
        }
      });
      return new Outcome(norm, bad);
    }
    adam.step(values, grads, lr, clip > 0 && norm > clip ? clip / norm : 1.0);
    values.forEach((n, v) -> arrays.get(n).set(v));
    return new Outcome(norm, List.of());
  }

  private static NDArray gradientOrNull(NDArray a) {
    try {
      return a.getGradient();
    } catch (IllegalStateException e) {
      return null; // PyTorch has no gradient for a tensor the loss did not depend on
    }
  }
}
