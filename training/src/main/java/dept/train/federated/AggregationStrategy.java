package dept.train.federated;

import dept.train.params.NamedTensors;
import java.util.List;
import java.util.Optional;

/**
 * The driver's outer step, as Flower's strategies shape it, on what the round's updates average to:
 * given the current global tensors and the weighted mean of the round's client updates (computed
 * where the updates are, shard by shard: the driver never holds more than one of them), the new
 * global tensors, or empty when the round brings no update. Server state (e.g. momentum) lives in
 * the instance and is exposed whole through {@link #serverState()}, so a checkpoint holds any
 * strategy's state the same way ({@link OuterConfig#create(NamedTensors)} resumes from it). The
 * math is in {@link Aggregates}.
 */
public interface AggregationStrategy {

  /**
   * @param global the current values of the tensors the updates hold
   * @param meanTrained the updates' mean ({@link Aggregates#meanTrained}, weighted as
   *     {@link #weightByTokens()} says), or null when the round brings none
   * @param failures tasks of this round whose update is left out (diverged, failed): informs the strategy
   */
  Optional<NamedTensors> aggregate(int round, NamedTensors global, NamedTensors meanTrained, int failures);

  /** Whether the mean weights each update by the tokens it trained on (else uniformly). */
  boolean weightByTokens();

  /** The strategy's state between rounds (empty when it keeps none). */
  NamedTensors serverState();

  /** The same step from the updates themselves, averaged here (one process, small models, tests). */
  default Optional<NamedTensors> aggregate(int round, NamedTensors global, List<ClientUpdate> results, int failures) {
    return aggregate(round, global, results.isEmpty() ? null : Aggregates.meanTrained(global, results, weightByTokens()), failures);
  }
}
