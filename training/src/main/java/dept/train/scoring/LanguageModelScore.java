package dept.train.scoring;

import dept.train.local.Evaluator;
import java.io.Serializable;

/**
 * A language model's sums over scored blocks: loss, targets and bytes, and for a model that reads
 * a SCONE lookup table, the host time its lookups took over how many positions.
 */
public record LanguageModelScore(Evaluator.Metrics metrics, long lookupNanos, long lookupPositions) implements Serializable {

  public LanguageModelScore plus(LanguageModelScore later) {
    return new LanguageModelScore(metrics.plus(later.metrics), lookupNanos + later.lookupNanos, lookupPositions + later.lookupPositions);
  }

  public double lookupMicrosPerToken() {
    return lookupNanos / 1e3 / Math.max(1, lookupPositions);
  }
}
