package dept.train.federated;

import dept.train.params.NamedTensors;
import java.util.List;

/** The pure math of aggregation. */
public final class Aggregates {

  private Aggregates() {}

  /** The mean of the updates' deltas, weighted by tokens (FedAvg) or uniformly. */
  public static NamedTensors meanDelta(List<ClientUpdate> results, boolean byTokens) {
    List<NamedTensors> deltas = results.stream().map(ClientUpdate::delta).toList();
    List<Double> weights = results.stream().map(r -> byTokens ? (double) r.tokens() : 1.0).toList();
    return NamedTensors.weightedMean(deltas, weights);
  }
}
