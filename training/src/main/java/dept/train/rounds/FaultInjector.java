package dept.train.rounds;

import java.io.Serializable;

/**
 * Called by every training task attempt: at its start (to fail or hang it) and after training
 * (to replace its update by NaN). Built from {@link FaultConfig} for reliability drills, or by
 * tests; production runs have none. {@code attempt} counts Spark's retries and the engine's
 * re-runs of a timed-out round.
 */
@FunctionalInterface
public interface FaultInjector extends Serializable {

  void beforeTask(String source, int replica, int round, int attempt);

  /** Whether this attempt's update should come back as NaN (a diverged source). */
  default boolean poisons(String source, int replica, int round, int attempt) {
    return false;
  }
}
