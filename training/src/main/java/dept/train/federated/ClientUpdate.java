package dept.train.federated;

import dept.train.params.NamedTensors;

/**
 * What one source's task sends back after its local steps.
 *
 * @param source the data source
 * @param trained its new values of the communicated tensors (the body, plus embeddings for GLOB);
 *     new values rather than deltas, so that averaging one source's update reproduces its local
 *     training bit for bit (old + (new - old) is not exact in float)
 * @param tokens tokens trained on: the FedAvg weight
 */
public record ClientUpdate(String source, NamedTensors trained, long tokens) {}
