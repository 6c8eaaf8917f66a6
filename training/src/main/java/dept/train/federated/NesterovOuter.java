package dept.train.federated;

import dept.train.params.NamedTensors;
import java.util.Optional;

/**
 * Outer SGD with Nesterov momentum on the mean delta (DiLoCo / Photon): v = mu v + d, then
 * global += lr (d + mu v). With lr 1 and mu 0 it is FedAvg. The momentum buffer is the server
 * state, exposed so a checkpoint can hold it.
 */
public final class NesterovOuter implements AggregationStrategy {

  private final double lr;
  private final double momentum;
  private final boolean weightByTokens;
  private NamedTensors velocity;

  public NesterovOuter(double lr, double momentum, boolean weightByTokens, NamedTensors velocity) {
    if (!(lr > 0) || momentum < 0 || momentum >= 1) {
      throw new IllegalArgumentException("outer lr must be > 0 and momentum in [0, 1), got " + lr + ", " + momentum);
    }
    this.lr = lr;
    this.momentum = momentum;
    this.weightByTokens = weightByTokens;
    this.velocity = velocity == null || velocity.names().isEmpty() ? null : velocity;
  }

  @Override
  public Optional<NamedTensors> aggregate(int round, NamedTensors global, NamedTensors meanTrained, int failures) {
    if (meanTrained == null) {
      return Optional.empty();
    }
    NamedTensors d = meanTrained.minus(global);
    velocity = velocity == null ? d : velocity.scaled(momentum).plusScaled(d, 1.0);
    return Optional.of(global.plusScaled(d.plusScaled(velocity, momentum), lr));
  }

  @Override
  public boolean weightByTokens() {
    return weightByTokens;
  }

  /** The momentum buffer (null before the first round). */
  public NamedTensors velocity() {
    return velocity;
  }

  @Override
  public NamedTensors serverState() {
    return velocity == null ? NamedTensors.EMPTY : velocity;
  }
}
