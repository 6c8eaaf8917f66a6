package dept.train.rounds;

import dept.train.random.Seeds;
import java.io.Serializable;

/**
 * Fault injection for reliability drills ({@code train.faults}; off by default). Each training task
 * of a round is picked with these probabilities, seeded by (seed, source, replica, round): a
 * picked task fails or hangs on its first attempt only, so a retry succeeds; a poisoned task
 * returns non-finite parameters, which the driver must leave out of the round.
 *
 * @param failFraction share of tasks that throw on their first attempt (Spark retries them)
 * @param hangFraction share of tasks that hang on their first attempt (the round's task timeout recovers them)
 * @param nanFraction share of tasks whose update is replaced by NaN (a diverged source)
 * @param hangSeconds how long a hanging task sleeps
 * @param seed which tasks are picked
 */
public record FaultConfig(Double failFraction, Double hangFraction, Double nanFraction, Integer hangSeconds, Long seed)
    implements Serializable {

  public FaultConfig {
    failFraction = failFraction == null ? 0.0 : failFraction;
    hangFraction = hangFraction == null ? 0.0 : hangFraction;
    nanFraction = nanFraction == null ? 0.0 : nanFraction;
    hangSeconds = hangSeconds == null ? 3600 : hangSeconds;
    seed = seed == null ? 7L : seed;
    if (failFraction < 0 || hangFraction < 0 || nanFraction < 0 || failFraction + hangFraction + nanFraction > 1) {
      throw new IllegalArgumentException("train.faults: fractions must be >= 0 and sum to <= 1");
    }
    if (hangSeconds < 1) {
      throw new IllegalArgumentException("train.faults.hang_seconds must be >= 1");
    }
  }

  public static FaultConfig none() {
    return new FaultConfig(null, null, null, null, null);
  }

  public boolean enabled() {
    return failFraction + hangFraction + nanFraction > 0;
  }

  /** What happens to a task: the same for every attempt of it, so only the first attempt is hit. */
  enum Fault { NONE, FAIL, HANG, NAN }

  Fault pick(String source, int replica, int round) {
    double u = new java.util.Random(Seeds.derive(seed, "fault", source, replica, round)).nextDouble();
    if (u < failFraction) {
      return Fault.FAIL;
    }
    if (u < failFraction + hangFraction) {
      return Fault.HANG;
    }
    return u < failFraction + hangFraction + nanFraction ? Fault.NAN : Fault.NONE;
  }

  /** The injector the engine's tasks call; null when nothing is injected. */
  FaultInjector injector() {
    if (!enabled()) {
      return null;
    }
    FaultConfig config = this;
    return new FaultInjector() {
      @Override
      public void beforeTask(String source, int replica, int round, int attempt) {
        if (attempt > 0) {
          return;
        }
        switch (config.pick(source, replica, round)) {
          case FAIL -> throw new IllegalStateException("injected fault: " + source + "#" + replica + " fails in round " + round);
          case HANG -> {
            try {
              Thread.sleep(config.hangSeconds() * 1000L);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IllegalStateException("injected hang of " + source + "#" + replica + " was cancelled", e);
            }
          }
          default -> { }
        }
      }

      @Override
      public boolean poisons(String source, int replica, int round, int attempt) {
        return config.pick(source, replica, round) == Fault.NAN;
      }
    };
  }
}
