package dept.train.federated;

import dept.train.params.NamedTensors;

/**
 * What one source's task sends back after its local steps.
 *
 * @param source the data source
 * @param delta new minus old of the communicated tensors (the body, plus embeddings for GLOB)
 * @param tokens tokens trained on: the FedAvg weight
 */
public record ClientUpdate(String source, NamedTensors delta, long tokens) {}
