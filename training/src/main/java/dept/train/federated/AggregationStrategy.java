package dept.train.federated;

import dept.train.params.NamedTensors;
import java.util.List;
import java.util.Optional;

/**
 * The driver's outer step, as Flower's strategies shape it: given the current global tensors and
 * the round's client updates, the new global tensors, or empty when the round brings no update
 * (no results). Server state (e.g. momentum) lives in the instance; the math in {@link Aggregates}.
 */
public interface AggregationStrategy {

  Optional<NamedTensors> aggregate(int round, NamedTensors global, List<ClientUpdate> results, int failures);
}
