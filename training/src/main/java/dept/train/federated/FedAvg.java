package dept.train.federated;

import dept.train.params.NamedTensors;
import java.util.List;
import java.util.Optional;

/**
 * FedAvg: the new global tensors are the (token-weighted) mean of what the sources trained, i.e.
 * outer SGD with learning rate 1 on the pseudo-gradient: DEPT's choice and our default.
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
    return Optional.of(Aggregates.meanTrained(global, results, weightByTokens));
  }

  @Override
  public NamedTensors serverState() {
    return NamedTensors.EMPTY;
  }
}
