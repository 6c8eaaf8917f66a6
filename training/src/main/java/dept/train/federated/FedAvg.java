package dept.train.federated;

import dept.train.params.NamedTensors;
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
  public Optional<NamedTensors> aggregate(int round, NamedTensors global, NamedTensors meanTrained, int failures) {
    return Optional.ofNullable(meanTrained);
  }

  @Override
  public boolean weightByTokens() {
    return weightByTokens;
  }

  @Override
  public NamedTensors serverState() {
    return NamedTensors.EMPTY;
  }
}
