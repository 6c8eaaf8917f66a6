package dept.train.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import java.util.List;

/**
 * A neutral-residue adapter: an {@link Adapter} times a per-token gate g(h) = relu(h w_r + b_r) (or
 * elu), with w_r = {@code ext.<block>.adapter.gate.w} (C, 1) and b_r = {@code .gate.b} (1). Its
 * gated output is what the sparsity penalty reads from {@link AdapterTaps}.
 */
public record GatedAdapter(Adapter adapter, Gate kind) implements FeedForward {

  /** How the gate turns its pre-activation into a multiplier. */
  public enum Gate {
    @JsonProperty("relu") RELU,
    @JsonProperty("elu") ELU
  }

  public String gateW() {
    return adapter.name("gate.w");
  }

  public String gateB() {
    return adapter.name("gate.b");
  }

  /** The parameters the gate adds to the adapter's. */
  public List<String> gateNames() {
    return List.of(gateW(), gateB());
  }

  @Override
  public NDArray forward(NDArray h, Weights w, AdapterTaps taps) {
    NDArray out = adapter.glu(h, w); // (B, T, C)
    NDArray z = h.matMul(w.get(gateW())).add(w.get(gateB())); // (B, T, 1)
    NDArray g = kind == Gate.RELU ? Activation.relu(z) : Activation.elu(z, 1f); // (B, T, 1)
    out = out.mul(g); // (B, T, C)
    if (taps != null) {
      taps.add(out, g);
    }
    return out;
  }
}
