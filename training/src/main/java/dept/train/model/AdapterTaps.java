package dept.train.model;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * What the adapters of a forward pass produced, layer by layer: their gated outputs (B, T, C),
 * for the sparsity penalty, and their gate values (B, T, 1), for statistics (empty for ungated
 * adapters). Arrays live in the step's manager.
 */
public final class AdapterTaps {

  private final List<NDArray> outputs = new ArrayList<>();
  private final List<NDArray> gates = new ArrayList<>();

  void add(NDArray output, NDArray gate) {
    outputs.add(output);
    if (gate != null) {
      gates.add(gate);
    }
  }

  public List<NDArray> outputs() {
    return outputs;
  }

  public List<NDArray> gates() {
    return gates;
  }
}
