package dept.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Replaced-token detection with early exit, as tables: per run (variant and generator) and exit
 * threshold, the accuracy and AUC of the predictions tokens exited with, the share of token-layer
 * computations skipped, and the majority-class accuracy to beat.
 */
public final class EarlyExit {

  public static final StructType SCHEMA = new StructType()
      .add("variant", DataTypes.StringType, false)
      .add("generator", DataTypes.StringType, false)
      .add("source", DataTypes.StringType, false)
      .add("threshold", DataTypes.DoubleType, false)
      .add("positions", DataTypes.LongType, false)
      .add("replaced", DataTypes.LongType, false)
      .add("accuracy", DataTypes.DoubleType, false)
      .add("auc", DataTypes.DoubleType, false)
      .add("skipped_fraction", DataTypes.DoubleType, false)
      .add("majority_accuracy", DataTypes.DoubleType, false);

  /** One source at one threshold. */
  public record Row(String variant, String generator, String source, double threshold, long positions, long replaced, double accuracy,
      double auc, double skippedFraction, double majorityAccuracy) {}

  /** One run at one threshold, over all sources (weighted by positions; AUC averaged over sources). */
  public record Point(String run, double threshold, double accuracy, double auc, double skippedFraction, double majorityAccuracy) {}

  private EarlyExit() {}

  public static List<Row> fromRows(List<org.apache.spark.sql.Row> rows) {
    return rows.stream().map(r -> new Row(r.getAs("variant"), r.getAs("generator"), r.getAs("source"), r.<Double>getAs("threshold"),
        r.<Long>getAs("positions"), r.<Long>getAs("replaced"), r.<Double>getAs("accuracy"), r.<Double>getAs("auc"),
        r.<Double>getAs("skipped_fraction"), r.<Double>getAs("majority_accuracy"))).toList();
  }

  public static List<Point> summarize(List<Row> rows) {
    Map<String, List<Row>> groups = new LinkedHashMap<>();
    rows.forEach(r -> groups.computeIfAbsent(r.variant() + " (" + r.generator() + ")\u0000" + r.threshold(), k -> new ArrayList<>()).add(r));
    List<Point> out = new ArrayList<>();
    groups.forEach((key, rs) -> {
      long n = rs.stream().mapToLong(Row::positions).sum();
      long replaced = rs.stream().mapToLong(Row::replaced).sum();
      double share = replaced / (double) Math.max(1, n);
      out.add(new Point(key.substring(0, key.indexOf('\u0000')), rs.get(0).threshold(),
          rs.stream().mapToDouble(r -> r.accuracy() * r.positions()).sum() / Math.max(1, n),
          rs.stream().mapToDouble(Row::auc).filter(Double::isFinite).average().orElse(Double.NaN),
          rs.stream().mapToDouble(r -> r.skippedFraction() * r.positions()).sum() / Math.max(1, n), Math.max(share, 1 - share)));
    });
    return out;
  }

  public static String markdown(List<Point> points) {
    StringBuilder b = new StringBuilder("Replaced-token detection with early exit (a token leaves at the first layer whose head is more "
        + "confident than the threshold; 1.0 = no exit):\n\n");
    b.append("| run (variant, generator) | threshold | accuracy | majority class | AUC | token-layer compute skipped |\n");
    b.append("| --- | ---: | ---: | ---: | ---: | ---: |\n");
    for (Point p : points) {
      b.append(String.format(Locale.ROOT, "| %s | %.3f | %.4f | %.4f | %.3f | %.1f%% |%n", p.run(), p.threshold(), p.accuracy(),
          p.majorityAccuracy(), p.auc(), 100 * p.skippedFraction()));
    }
    return b.toString();
  }
}
