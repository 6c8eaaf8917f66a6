package dept.train.federated;

import dept.train.params.NamedTensors;
import java.util.Map;

/**
 * What one source's task sends back after its local steps.
 *
 * @param source the data source
 * @param trained its new values of the communicated tensors (the body, plus embeddings for GLOB);
 *     new values rather than deltas, so that averaging one source's update reproduces its local
 *     training bit for bit (old + (new - old) is not exact in float)
 * @param tokens tokens trained on: the FedAvg weight
 * @param rowIds for a tensor the source holds only some rows of (TRIM's token table): the global
 *     row of each of its rows; tensors not named here are whole
 */
public record ClientUpdate(String source, NamedTensors trained, long tokens, Map<String, int[]> rowIds) {

  public ClientUpdate(String source, NamedTensors trained, long tokens) {
    this(source, trained, tokens, Map.of());
  }

  public ClientUpdate {
    rowIds = Map.copyOf(rowIds);
  }
}
