package dept.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import java.util.List;

/**
 * A GLU adapter read beside block {@code block}'s MLP (on the MLP's input h):
 * A(h) = W_o(gelu(W_g h) * W_i h), with {@code ext.<block>.adapter.wi}, {@code .wg} (C, H) and
 * {@code .wo} (H, C).
 */
public record Adapter(String block) implements FeedForward {

  public String wi() {
    return name("wi");
  }

  public String wg() {
    return name("wg");
  }

  public String wo() {
    return name("wo");
  }

  /** {@code ext.<block>.adapter.<part>}. */
  String name(String part) {
    return Extensions.EXT + block + ".adapter." + part;
  }

  /** The parameters this adapter adds. */
  public List<String> names() {
    return List.of(wi(), wg(), wo());
  }

  @Override
  public NDArray forward(NDArray h, Weights w, AdapterTaps taps) {
    NDArray out = glu(h, w); // (B, T, C)
    if (taps != null) {
      taps.add(out, null);
    }
    return out;
  }

  /** A(h), recorded nowhere. */
  NDArray glu(NDArray h, Weights w) {
    NDArray inner = Activation.gelu(h.matMul(w.get(wg()))).mul(h.matMul(w.get(wi()))); // (B, T, H)
    return inner.matMul(w.get(wo())); // (B, T, C)
  }
}
