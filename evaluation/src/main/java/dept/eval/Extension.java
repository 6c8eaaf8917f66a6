package dept.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code dept extend}'s results as tables: per method, what it learned on the new source and what
 * it forgot on the original ones (bits per byte after minus before), and its gates on old vs new data.
 */
public final class Extension {

  public static final StructType RESULTS = new StructType()
      .add("method", DataTypes.StringType, false)
      .add("source", DataTypes.StringType, false)
      .add("role", DataTypes.StringType, false)
      .add("bits_per_byte_before", DataTypes.DoubleType, false)
      .add("bits_per_byte_after", DataTypes.DoubleType, false)
      .add("delta", DataTypes.DoubleType, false)
      .add("trainable_params", DataTypes.LongType, false)
      .add("added_params", DataTypes.LongType, false)
      .add("wall_seconds", DataTypes.DoubleType, false);

  public static final StructType GATES = new StructType()
      .add("method", DataTypes.StringType, false)
      .add("domain", DataTypes.StringType, false)
      .add("layer", DataTypes.IntegerType, false)
      .add("mean_gate", DataTypes.DoubleType, false)
      .add("active_fraction", DataTypes.DoubleType, false)
      .add("mean_abs_output", DataTypes.DoubleType, false);

  /** One method on one source. */
  public record ResultRow(String method, String source, boolean isNew, double before, double after, long trainableParams,
      long addedParams) {}

  /** One method's adapters on one domain, one layer. */
  public record GateRow(String method, String domain, int layer, double meanGate, double activeFraction, double meanAbsOutput) {}

  /**
   * One method in a line: the new source before and after, the mean and worst change on the
   * original sources (positive = forgotten), and the adapters' mean gate and output on old and new data.
   */
  public record Summary(String method, double newBefore, double newAfter, double forgettingMean, double forgettingMax,
      long trainableParams, long addedParams, double gateOld, double gateNew, double outputOld, double outputNew) {}

  private Extension() {}

  public static List<ResultRow> resultsFrom(List<Row> rows) {
    return rows.stream().map(r -> new ResultRow(r.getAs("method"), r.getAs("source"), "new".equals(r.getAs("role")),
        r.<Double>getAs("bits_per_byte_before"), r.<Double>getAs("bits_per_byte_after"), r.<Long>getAs("trainable_params"),
        r.<Long>getAs("added_params"))).toList();
  }

  public static List<GateRow> gatesFrom(List<Row> rows) {
    return rows.stream().map(r -> new GateRow(r.getAs("method"), r.getAs("domain"), r.<Integer>getAs("layer"), r.<Double>getAs("mean_gate"),
        r.<Double>getAs("active_fraction"), r.<Double>getAs("mean_abs_output"))).toList();
  }

  public static List<Summary> summarize(List<ResultRow> rows, List<GateRow> gates) {
    Map<String, List<ResultRow>> byMethod = new LinkedHashMap<>();
    rows.forEach(r -> byMethod.computeIfAbsent(r.method(), m -> new ArrayList<>()).add(r));
    List<Summary> out = new ArrayList<>();
    byMethod.forEach((method, rs) -> {
      ResultRow fresh = rs.stream().filter(ResultRow::isNew).findFirst()
          .orElseThrow(() -> new IllegalArgumentException(method + ": no score on the new source (no validation blocks)"));
      double mean = rs.stream().filter(r -> !r.isNew()).mapToDouble(r -> r.after() - r.before()).average().orElse(Double.NaN);
      double max = rs.stream().filter(r -> !r.isNew()).mapToDouble(r -> r.after() - r.before()).max().orElse(Double.NaN);
      out.add(new Summary(method, fresh.before(), fresh.after(), mean, max, fresh.trainableParams(), fresh.addedParams(),
          mean(gates, method, "original", true), mean(gates, method, "new", true), mean(gates, method, "original", false),
          mean(gates, method, "new", false)));
    });
    return out;
  }

  private static double mean(List<GateRow> gates, String method, String domain, boolean gate) {
    return gates.stream().filter(g -> g.method().equals(method) && g.domain().equals(domain))
        .mapToDouble(g -> gate ? g.meanGate() : g.meanAbsOutput()).average().orElse(Double.NaN);
  }

  public static String markdown(String base, String newSource, List<Summary> rows) {
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
        "Extending %s to %s (bits per byte; forgetting = change on the original sources, + is worse):%n%n", base, newSource));
    b.append("| method | ").append(newSource).append(" before | ").append(newSource)
        .append(" after | forgetting (mean) | forgetting (worst source) | trainable params | added params | gate old / new | adapter |out| old / new |\n");
    b.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (Summary s : rows) {
      b.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %+.4f | %+.4f | %,d | %,d | %s | %s |%n", s.method(), s.newBefore(),
          s.newAfter(), s.forgettingMean(), s.forgettingMax(), s.trainableParams(), s.addedParams(), pair(s.gateOld(), s.gateNew(), "%.3f"),
          pair(s.outputOld(), s.outputNew(), "%.2e")));
    }
    return b.toString();
  }

  private static String pair(double a, double b, String fmt) {
    if (Double.isNaN(a) && Double.isNaN(b)) {
      return "";
    }
    return String.format(Locale.ROOT, fmt + " / " + fmt, a, b);
  }
}
