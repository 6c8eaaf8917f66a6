package dept.train.federated;

import dept.train.params.NamedTensors;
import java.util.List;
import java.util.Optional;

/**
 * The driver's outer step, as Flower's strategies shape it: given the current global tensors and
 * the round's client updates, the new global tensors, or empty when the round brings no update
 * (no results). Server state (e.g. momentum) lives in the instance and is exposed whole through
 * {@link #serverState()}, so a checkpoint holds any strategy's state the same way
 * ({@link OuterConfig#create(NamedTensors)} resumes from it). The math is in {@link Aggregates}.
 */
public interface AggregationStrategy {

  /**
   * @param failures tasks of this round whose update is left out (diverged, failed): informs the
   *     strategy; their updates are not in {@code results}
   */
  Optional<NamedTensors> aggregate(int round, NamedTensors global, List<ClientUpdate> results, int failures);

  /** The strategy's state between rounds (empty when it keeps none). */
  NamedTensors serverState();
}
