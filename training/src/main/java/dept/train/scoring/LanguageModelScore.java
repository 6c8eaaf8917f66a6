package dept.train.scoring;

import dept.train.local.Evaluator;
import java.io.Serializable;

/**
 * A language model's sums over scored blocks (loss, targets, bytes) and, for a model that reads a
 * SCONE lookup table, the table's size and the host time its lookups took (null otherwise).
 */
public record LanguageModelScore(Evaluator.Metrics metrics, TableLookups table) implements Serializable {

  /** A lookup table's size, and its lookups' time over how many positions. */
  public record TableLookups(long rows, int fgrams, long bytes, long nanos, long positions) implements Serializable {

    public double microsPerToken() {
      return nanos / 1e3 / Math.max(1, positions);
    }
  }

  public LanguageModelScore plus(LanguageModelScore later) {
    return new LanguageModelScore(metrics.plus(later.metrics), table == null ? null
        : new TableLookups(table.rows, table.fgrams, table.bytes, table.nanos + later.table.nanos, table.positions + later.table.positions));
  }
}
