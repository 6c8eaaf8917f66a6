package dept.train.federated;

import dept.train.params.NamedTensors;
import java.io.Serializable;
import java.util.Locale;

/**
 * The driver's outer optimiser.
 *
 * @param kind {@code fedavg} (outer SGD with lr 1: DEPT's choice, the default) or {@code nesterov}
 *     (DiLoCo / Photon)
 * @param lr outer learning rate (nesterov only)
 * @param momentum Nesterov momentum (nesterov only)
 * @param weightByTokens weight each source's update by the tokens it trained on (else uniform)
 */
public record OuterConfig(String kind, Double lr, Double momentum, Boolean weightByTokens) implements Serializable {

  public OuterConfig {
    kind = kind == null ? "fedavg" : kind.toLowerCase(Locale.ROOT);
    lr = lr == null ? 0.7 : lr;
    momentum = momentum == null ? 0.9 : momentum;
    weightByTokens = weightByTokens == null || weightByTokens;
    if (!kind.equals("fedavg") && !kind.equals("nesterov")) {
      throw new IllegalArgumentException("train.outer.kind must be fedavg or nesterov, got '" + kind + "'");
    }
    if (kind.equals("nesterov") && (!(lr > 0) || momentum < 0 || momentum >= 1)) {
      throw new IllegalArgumentException("train.outer: nesterov needs lr > 0 and momentum in [0, 1), got " + lr + ", " + momentum);
    }
  }

  public static OuterConfig defaults() {
    return new OuterConfig(null, null, null, null);
  }

  /** The strategy, resuming from {@code velocity} (a checkpoint's momentum; null for a fresh run). */
  public AggregationStrategy create(NamedTensors velocity) {
    return kind.equals("fedavg") ? new FedAvg(weightByTokens) : new NesterovOuter(lr, momentum, weightByTokens, velocity);
  }
}
