package dept.train.federated;

import com.fasterxml.jackson.annotation.JsonProperty;
import dept.train.params.NamedTensors;
import java.io.Serializable;

/**
 * The driver's outer optimiser.
 *
 * @param kind {@code fedavg} (outer SGD with lr 1: DEPT's choice, the default) or {@code nesterov}
 *     (DiLoCo / Photon)
 * @param lr outer learning rate (nesterov only)
 * @param momentum Nesterov momentum (nesterov only)
 * @param weightByTokens weight each source's update by the tokens it trained on (else uniform)
 */
public record OuterConfig(Kind kind, Double lr, Double momentum, Boolean weightByTokens) implements Serializable {

  /** The outer optimisers there are. */
  public enum Kind {
    @JsonProperty("fedavg") FEDAVG,
    @JsonProperty("nesterov") NESTEROV
  }

  public OuterConfig {
    kind = kind == null ? Kind.FEDAVG : kind;
    lr = lr == null ? 0.7 : lr;
    momentum = momentum == null ? 0.9 : momentum;
    weightByTokens = weightByTokens == null || weightByTokens;
    if (kind == Kind.NESTEROV && (!(lr > 0) || momentum < 0 || momentum >= 1)) {
      throw new IllegalArgumentException("train.outer: nesterov needs lr > 0 and momentum in [0, 1), got " + lr + ", " + momentum);
    }
  }

  public static OuterConfig defaults() {
    return new OuterConfig(null, null, null, null);
  }

  /** The strategy, resuming from {@code serverState} (a checkpoint's {@link AggregationStrategy#serverState()}; empty or null when fresh). */
  public AggregationStrategy create(NamedTensors serverState) {
    return switch (kind) {
      case FEDAVG -> new FedAvg(weightByTokens);
      case NESTEROV -> new NesterovOuter(lr, momentum, weightByTokens, serverState);
    };
  }
}
