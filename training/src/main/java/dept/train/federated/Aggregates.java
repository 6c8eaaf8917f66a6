package dept.train.federated;

import dept.train.params.NamedTensors;
import java.util.List;

/** The pure math of aggregation. */
public final class Aggregates {

  private Aggregates() {}

  /** The mean of the updates' trained tensors, weighted by tokens (FedAvg) or uniformly. */
  public static NamedTensors meanTrained(List<ClientUpdate> results, boolean byTokens) {
    List<NamedTensors> trained = results.stream().map(ClientUpdate::trained).toList();
    List<Double> weights = results.stream().map(r -> byTokens ? (double) r.tokens() : 1.0).toList();
    return NamedTensors.weightedMean(trained, weights);
  }

  /** The outer pseudo-update: mean trained minus the current global tensors. */
  public static NamedTensors meanDelta(NamedTensors global, List<ClientUpdate> results, boolean byTokens) {
    return meanTrained(results, byTokens).minus(global);
  }
}
