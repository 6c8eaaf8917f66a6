package dept.train.federated;

import dept.train.params.NamedTensors;
import java.util.List;
import java.util.Optional;

/**
 * FedAvg: the new global tensors are the old plus the (token-weighted) mean delta, i.e. outer SGD
 * with learning rate 1 on the pseudo-gradient: DEPT's choice and our default.
 */
public final class FedAvg implements AggregationStrategy {

  private final boolean weightByTokens;

  public FedAvg(boolean weightByTokens) {
    this.weightByTokens = weightByTokens;
  }

  @Override
  public Optional<NamedTensors> aggregate(int round, NamedTensors global, List<ClientUpdate> results, int failures) {
    if (results.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(global.plusScaled(Aggregates.meanDelta(results, weightByTokens), 1.0));
  }
}
