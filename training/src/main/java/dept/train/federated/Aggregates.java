package dept.train.federated;

import dept.train.params.NamedTensors;
import dept.train.params.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The pure math of aggregation. */
public final class Aggregates {

  private Aggregates() {}

  /**
   * The mean of the updates' trained tensors, weighted by tokens (FedAvg) or uniformly. A tensor
   * that updates hold only some rows of is averaged row by row over the updates that hold each
   * row; rows nobody holds keep {@code global}'s values.
   */
  public static NamedTensors meanTrained(NamedTensors global, List<ClientUpdate> results, boolean byTokens) {
    List<Double> weights = results.stream().map(r -> byTokens ? (double) r.tokens() : 1.0).toList();
    List<String> partial = results.stream().flatMap(r -> r.rowIds().keySet().stream()).distinct().sorted().toList();
    List<NamedTensors> whole = results.stream().map(r -> r.trained().select(n -> !partial.contains(n))).toList();
    NamedTensors mean = NamedTensors.weightedMean(whole, weights);
    Map<String, Tensor> rows = new TreeMap<>();
    for (String name : partial) {
      rows.put(name, rowMean(global.get(name), name, results, weights));
    }
    return mean.with(new NamedTensors(rows));
  }

  private static Tensor rowMean(Tensor global, String name, List<ClientUpdate> results, List<Double> weights) {
    int rows = (int) global.shape()[0];
    int d = global.size() / rows;
    double[] sum = new double[rows * d];
    double[] held = new double[rows];
    List<String> problems = new ArrayList<>();
    for (int s = 0; s < results.size(); s++) {
      int[] ids = results.get(s).rowIds().get(name);
      float[] local = results.get(s).trained().get(name).data();
      if (ids == null || local.length != ids.length * d) {
        problems.add(results.get(s).source());
        continue;
      }
      double w = weights.get(s);
      for (int i = 0; i < ids.length; i++) {
        held[ids[i]] += w;
        for (int k = 0; k < d; k++) {
          sum[ids[i] * d + k] += w * local[i * d + k];
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(name + ": updates of " + problems + " do not hold rows matching their row ids");
    }
    float[] out = global.data().clone();
    for (int r = 0; r < rows; r++) {
      if (held[r] > 0) {
        for (int k = 0; k < d; k++) {
          out[r * d + k] = (float) (sum[r * d + k] / held[r]);
        }
      }
    }
    return new Tensor(global.shape(), out);
  }
}
