package dept.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * {@code extend.sweep}'s trials as tables: the learn-vs-forget frontier (every method over learning
 * rates), the alpha sweep (neutral residues' output per layer on original vs new data) and the data
 * mix (original_fraction). A point is one trial, averaged over seeds where there are several (the
 * study) with their standard deviation.
 */
public final class ExtensionFrontier {

  /** The columns that name a trial; the sweep tables are these then {@link Extension}'s. */
  public static final StructType TRIAL = new StructType()
      .add("trial", DataTypes.StringType, false)
      .add("lr", DataTypes.DoubleType, false)
      .add("alpha", DataTypes.DoubleType, false)
      .add("original_fraction", DataTypes.DoubleType, false);

  public static final StructType RESULTS = concat(TRIAL, Extension.RESULTS);
  public static final StructType GATES = concat(TRIAL, Extension.GATES);

  /** The frontier plots' file names: learned vs mean, and vs worst, forgetting. */
  public static final String PLOT_MEAN = "extension_frontier.png";
  public static final String PLOT_WORST = "extension_frontier_worst.png";

  /** The config's own setting: the trials at these values are each method's main one. */
  public record Setting(double lr, double alpha, double originalFraction) {}

  /**
   * One trial, over its seeds: bits per byte gained on the new source (before - after), the mean
   * and the worst change on the original sources (+ is forgotten), and for adapter methods per layer
   * the mean gate and mean per-token |output|_1 / d on original and new validation data.
   */
  public record Point(String trial, String method, double lr, double alpha, double originalFraction, int seeds, double learned,
      double learnedSd, double forgettingMean, double forgettingMeanSd, double forgettingWorst, double forgettingWorstSd,
      double[] outOld, double[] outNew, double[] gateOld, double[] gateNew) {

    /** Mean over layers of the |output| on original data over that on new data (NaN without adapters). */
    public double outRatio() {
      return mean(outOld) / mean(outNew);
    }
  }

  /** One adapter layer of one trial on one domain (gate and output are averaged over seeds per key). */
  private record LayerKey(String trial, String domain, int layer) {}

  private ExtensionFrontier() {}

  private static StructType concat(StructType a, StructType b) {
    List<StructField> fields = new ArrayList<>(List.of(a.fields()));
    fields.addAll(List.of(b.fields()));
    return new StructType(fields.toArray(new StructField[0]));
  }

  /**
   * The points of a sweep's results and gates rows ({@link #RESULTS}, {@link #GATES}; with a
   * {@code seed} column when they come from several runs), in the order the trials first appear.
   */
  public static List<Point> points(List<Row> results, List<Row> gates) {
    record Key(String trial, long seed) {}
    Map<String, Row> firstRow = new LinkedHashMap<>();
    Map<Key, double[]> perSeed = new LinkedHashMap<>(); // learned, forgetting sum, count, worst
    for (Row r : results) {
      String trial = r.getAs("trial");
      firstRow.putIfAbsent(trial, r);
      double[] acc = perSeed.computeIfAbsent(new Key(trial, seedOf(r)), k -> new double[] {Double.NaN, 0, 0, Double.NEGATIVE_INFINITY});
      double before = r.<Double>getAs("bits_per_byte_before");
      double after = r.<Double>getAs("bits_per_byte_after");
      if ("new".equals(r.getAs("role"))) {
        acc[0] = before - after;
      } else {
        acc[1] += after - before;
        acc[2]++;
        acc[3] = Math.max(acc[3], after - before);
      }
    }
    Map<LayerKey, double[]> layers = new TreeMap<>(Comparator.comparing(LayerKey::trial).thenComparing(LayerKey::domain)
        .thenComparingInt(LayerKey::layer));
    for (Row g : gates) {
      double[] acc = layers.computeIfAbsent(new LayerKey(g.getAs("trial"), g.getAs("domain"), g.<Integer>getAs("layer")), k -> new double[3]);
      acc[0] += g.<Double>getAs("mean_gate");
      acc[1] += g.<Double>getAs("mean_abs_output");
      acc[2]++;
    }
    List<Point> out = new ArrayList<>();
    firstRow.forEach((trial, r) -> {
      List<double[]> seeds = perSeed.entrySet().stream().filter(e -> e.getKey().trial().equals(trial)).map(Map.Entry::getValue).toList();
      double[] learned = seeds.stream().mapToDouble(s -> s[0]).toArray();
      double[] mean = seeds.stream().mapToDouble(s -> s[1] / s[2]).toArray();
      double[] worst = seeds.stream().mapToDouble(s -> s[3]).toArray();
      out.add(new Point(trial, r.getAs("method"), r.<Double>getAs("lr"), r.<Double>getAs("alpha"), r.<Double>getAs("original_fraction"),
          seeds.size(), mean(learned), sd(learned), mean(mean), sd(mean), mean(worst), sd(worst),
          perLayer(layers, trial, "original", 1), perLayer(layers, trial, "new", 1), perLayer(layers, trial, "original", 0),
          perLayer(layers, trial, "new", 0)));
    });
    return out;
  }

  /** The frontier's points: every method at each learning rate, at the setting's alpha and data mix. */
  public static List<Point> overLearningRates(List<Point> points, Setting at) {
    List<Point> out = new ArrayList<>(points.stream().filter(p -> p.alpha() == at.alpha() && p.originalFraction() == at.originalFraction())
        .toList());
    out.sort(Comparator.comparingInt((Point p) -> methodOrder(points, p.method())).thenComparingDouble(Point::lr));
    return out;
  }

  /** Neutral residues at each alpha, at the setting's learning rate and data mix. */
  public static List<Point> overAlphas(List<Point> points, Setting at) {
    List<Point> out = new ArrayList<>(points.stream().filter(p -> p.method().equals("neutral") && p.lr() == at.lr()
        && p.originalFraction() == at.originalFraction()).toList());
    out.sort(Comparator.comparingDouble(Point::alpha));
    return out;
  }

  /** Every method at each share of original batches, at the setting's learning rate and alpha. */
  public static List<Point> overDataMixes(List<Point> points, Setting at) {
    List<Point> out = new ArrayList<>(points.stream().filter(p -> p.lr() == at.lr() && p.alpha() == at.alpha()).toList());
    out.sort(Comparator.comparingInt((Point p) -> methodOrder(points, p.method())).thenComparingDouble(Point::originalFraction));
    return out;
  }

  private static int methodOrder(List<Point> points, String method) {
    return points.stream().map(Point::method).distinct().toList().indexOf(method);
  }

  /**
   * The report section: a heading, the three tables and the two frontier plots' links; the plots are
   * {@link #plots}' under {@link #PLOT_MEAN} and {@link #PLOT_WORST} next to the report.
   */
  public static String section(String heading, String newSource, List<Point> points, Setting at) {
    return "\n### " + heading + "\n\n" + markdown(newSource, points, at) + "\n![learn vs forget, mean](" + PLOT_MEAN
        + ")\n\n![learn vs forget, worst source](" + PLOT_WORST + ")\n";
  }

  /** The frontier plots as PNG bytes by file name: learned vs mean and vs worst forgetting over learning rates. */
  public static Map<String, byte[]> plots(String newSource, List<Point> points, Setting at) {
    List<Point> frontier = overLearningRates(points, at);
    Map<String, byte[]> out = new LinkedHashMap<>();
    out.put(PLOT_MEAN, ReportPlots.extensionFrontier(newSource, frontier, false));
    out.put(PLOT_WORST, ReportPlots.extensionFrontier(newSource, frontier, true));
    return out;
  }

  /** The three tables, Markdown: frontier, alpha sweep, data mix. */
  public static String markdown(String newSource, List<Point> points, Setting at) {
    StringBuilder b = new StringBuilder();
    int seeds = points.stream().mapToInt(Point::seeds).max().orElse(1);
    String over = seeds > 1 ? String.format(Locale.ROOT, "mean ± sd over %d seeds", seeds) : "one seed";
    b.append(String.format(Locale.ROOT, "Learned = %s bits per byte gained (before - after); forgetting = change on the original "
        + "sources (+ is forgotten), mean over sources and worst source; |out| = per-token |adapter output|_1 / d on original / new "
        + "validation data; %s.%n%n", newSource, over));
    b.append(String.format(Locale.ROOT, "**Learn vs forget over learning rates** (alpha %s, original_fraction %s):%n%n", num(at.alpha()),
        num(at.originalFraction())));
    table(b, "lr", overLearningRates(points, at), Point::lr);
    List<Point> alphas = overAlphas(points, at);
    if (alphas.size() > 1) {
      b.append(String.format(Locale.ROOT, "%n**Neutral residues over alpha** (lr %s, original_fraction %s; |out| and gate per layer, "
          + "original / new):%n%n", num(at.lr()), num(at.originalFraction())));
      b.append("| alpha | learned | forgetting (mean) | forgetting (worst) | |out| old / new per layer | old / new | gate old / new per layer |\n");
      b.append("| ---: | ---: | ---: | ---: | --- | ---: | --- |\n");
      for (Point p : alphas) {
        b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %.2f | %s |%n", num(p.alpha()), pm(p.learned(), p.learnedSd(), "%.4f"),
            pm(p.forgettingMean(), p.forgettingMeanSd(), "%+.4f"), pm(p.forgettingWorst(), p.forgettingWorstSd(), "%+.4f"),
            layers(p.outOld(), p.outNew(), "%.2e"), p.outRatio(), layers(p.gateOld(), p.gateNew(), "%.2f")));
      }
    }
    List<Point> mixes = overDataMixes(points, at);
    if (mixes.stream().map(Point::originalFraction).distinct().count() > 1) {
      b.append(String.format(Locale.ROOT, "%n**Data mix** (lr %s, alpha %s; original_fraction 0: no rehearsal, 1: rehearsal only, "
          + "the new source never trains):%n%n", num(at.lr()), num(at.alpha())));
      table(b, "original_fraction", mixes, Point::originalFraction);
    }
    return b.toString();
  }

  private static void table(StringBuilder b, String knob, List<Point> rows, java.util.function.ToDoubleFunction<Point> value) {
    b.append("| method | ").append(knob).append(" | learned | forgetting (mean) | forgetting (worst) | |out| old / new |\n");
    b.append("| --- | ---: | ---: | ---: | ---: | ---: |\n");
    for (Point p : rows) {
      b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", p.method(), num(value.applyAsDouble(p)),
          pm(p.learned(), p.learnedSd(), "%.4f"), pm(p.forgettingMean(), p.forgettingMeanSd(), "%+.4f"),
          pm(p.forgettingWorst(), p.forgettingWorstSd(), "%+.4f"),
          p.outOld().length == 0 ? "" : String.format(Locale.ROOT, "%.2e / %.2e (%.2f)", mean(p.outOld()), mean(p.outNew()), p.outRatio())));
    }
  }

  private static String layers(double[] old, double[] fresh, String fmt) {
    List<String> parts = new ArrayList<>();
    for (int l = 0; l < old.length; l++) {
      if (!Double.isNaN(old[l])) {
        parts.add(String.format(Locale.ROOT, "L%d " + fmt + " / " + fmt, l, old[l], fresh[l]));
      }
    }
    return String.join("; ", parts);
  }

  private static String pm(double mean, double sd, String fmt) {
    return Double.isNaN(sd) ? String.format(Locale.ROOT, fmt, mean) : String.format(Locale.ROOT, fmt + " ± %.4f", mean, sd);
  }

  static String num(double v) {
    return String.format(Locale.ROOT, "%.4g", v).replaceAll("\\.?0+(e|$)", "$1");
  }

  private static long seedOf(Row r) {
    return r.schema().getFieldIndex("seed").isDefined() ? r.<Long>getAs("seed") : 0L;
  }

  private static double[] perLayer(Map<LayerKey, double[]> layers, String trial, String domain, int column) {
    return layers.entrySet().stream().filter(e -> e.getKey().trial().equals(trial) && e.getKey().domain().equals(domain))
        .mapToDouble(e -> e.getValue()[column] / e.getValue()[2]).toArray();
  }

  static double mean(double[] v) {
    if (v.length == 0) {
      return Double.NaN;
    }
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  static double sd(double[] v) {
    if (v.length < 2) {
      return Double.NaN;
    }
    double m = mean(v);
    double s = 0;
    for (double x : v) {
      s += (x - m) * (x - m);
    }
    return Math.sqrt(s / (v.length - 1));
  }
}
