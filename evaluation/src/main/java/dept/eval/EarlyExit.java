package dept.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Replaced-token detection with early exit, as tables: per discriminator (variant and the generator
 * it trained with), shared corrupted set (the generator that corrupted it) and exit threshold, the
 * accuracy and AUC of the predictions tokens exited with, the share of token-layers not run, the
 * multiply-adds executed relative to no exit, and the majority-class accuracy to beat.
 */
public final class EarlyExit {

  public static final StructType SCHEMA = new StructType()
      .add("variant", DataTypes.StringType, false)
      .add("generator", DataTypes.StringType, false)
      .add("corrupted_by", DataTypes.StringType, false)
      .add("source", DataTypes.StringType, false)
      .add("threshold", DataTypes.DoubleType, false)
      .add("positions", DataTypes.LongType, false)
      .add("replaced", DataTypes.LongType, false)
      .add("accuracy", DataTypes.DoubleType, false)
      .add("auc", DataTypes.DoubleType, false)
      .add("skipped_fraction", DataTypes.DoubleType, false)
      .add("macs_fraction", DataTypes.DoubleType, false)
      .add("majority_accuracy", DataTypes.DoubleType, false);

  /** One source at one threshold. */
  public record Row(String variant, String generator, String corruptedBy, String source, double threshold, long positions, long replaced,
      double accuracy, double auc, double skippedFraction, double macsFraction, double majorityAccuracy) {

    public Object[] values() {
      return new Object[] {variant, generator, corruptedBy, source, threshold, positions, replaced, accuracy, auc, skippedFraction,
          macsFraction, majorityAccuracy};
    }
  }

  /** One discriminator on one corrupted set at one threshold, over all sources (weighted by positions; AUC averaged over sources). */
  public record Point(String run, String generator, String corruptedBy, double threshold, double accuracy, double auc, double skippedFraction,
      double macsFraction, double majorityAccuracy) {

    /** Scored on the set its own generator corrupts. */
    public boolean ownSet() {
      return generator.equals(corruptedBy);
    }
  }

  private EarlyExit() {}

  public static List<Row> fromRows(List<org.apache.spark.sql.Row> rows) {
    return rows.stream().map(r -> new Row(r.getAs("variant"), r.getAs("generator"), r.getAs("corrupted_by"), r.getAs("source"),
        r.<Double>getAs("threshold"), r.<Long>getAs("positions"), r.<Long>getAs("replaced"), r.<Double>getAs("accuracy"),
        r.<Double>getAs("auc"), r.<Double>getAs("skipped_fraction"), r.<Double>getAs("macs_fraction"), r.<Double>getAs("majority_accuracy")))
        .toList();
  }

  public static List<Point> summarize(List<Row> rows) {
    Map<String, List<Row>> groups = new LinkedHashMap<>();
    rows.forEach(r -> groups.computeIfAbsent(r.variant() + "\u0000" + r.generator() + "\u0000" + r.corruptedBy() + "\u0000" + r.threshold(),
        k -> new ArrayList<>()).add(r));
    List<Point> out = new ArrayList<>();
    groups.forEach((key, rs) -> {
      Row first = rs.get(0);
      long n = rs.stream().mapToLong(Row::positions).sum();
      long replaced = rs.stream().mapToLong(Row::replaced).sum();
      double share = replaced / (double) Math.max(1, n);
      out.add(new Point(first.variant() + " (" + first.generator() + ")", first.generator(), first.corruptedBy(), first.threshold(),
          weighted(rs, Row::accuracy, n), rs.stream().mapToDouble(Row::auc).filter(Double::isFinite).average().orElse(Double.NaN),
          weighted(rs, Row::skippedFraction, n), weighted(rs, Row::macsFraction, n), Math.max(share, 1 - share)));
    });
    return out;
  }

  private static double weighted(List<Row> rows, java.util.function.ToDoubleFunction<Row> figure, long positions) {
    return rows.stream().mapToDouble(r -> figure.applyAsDouble(r) * r.positions()).sum() / Math.max(1, positions);
  }

  /** Each discriminator on its own generator's set at every threshold, then every discriminator on every shared set without exit. */
  public static String markdown(List<Point> points) {
    StringBuilder b = new StringBuilder("Replaced-token detection with early exit (a token leaves at the first layer whose head is more "
        + "confident than the threshold; later layers run only the tokens still in, every token still serves as a key and value; "
        + "1.0 = no exit), each discriminator on the set its own generator corrupted:\n\n");
    b.append("| run (variant, generator) | threshold | accuracy | majority class | AUC | token-layers not run | multiply-adds executed |\n");
    b.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (Point p : points) {
      if (p.ownSet()) {
        b.append(String.format(Locale.ROOT, "| %s | %.3f | %.4f | %.4f | %.3f | %.1f%% | %.1f%% |%n", p.run(), p.threshold(), p.accuracy(),
            p.majorityAccuracy(), p.auc(), 100 * p.skippedFraction(), 100 * p.macsFraction()));
      }
    }
    b.append("\nIs the generator needed? Every discriminator on the same shared corrupted validation sets (one per generator kind; "
        + "the same seed, blocks and replacements for every row of a column), no exit, AUC (accuracy):\n\n");
    List<String> sets = points.stream().map(Point::corruptedBy).distinct().sorted().toList();
    b.append("| discriminator (variant, trained with) |");
    sets.forEach(s -> b.append(" corrupted by ").append(s).append(" |"));
    b.append("\n| --- |").append(" ---: |".repeat(sets.size())).append('\n');
    Map<String, Map<String, Point>> byRun = new LinkedHashMap<>();
    points.stream().filter(p -> p.threshold() >= 1.0).forEach(p -> byRun.computeIfAbsent(p.run(), r -> new LinkedHashMap<>())
        .put(p.corruptedBy(), p));
    byRun.forEach((run, bySet) -> {
      b.append("| ").append(run).append(" |");
      for (String s : sets) {
        Point p = bySet.get(s);
        b.append(p == null ? " - |" : String.format(Locale.ROOT, " %.3f (%.4f) |", p.auc(), p.accuracy()));
      }
      b.append('\n');
    });
    return b.toString();
  }
}
