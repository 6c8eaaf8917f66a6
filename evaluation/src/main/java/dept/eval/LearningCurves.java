package dept.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * The study's learning curves: every arm's validation (mean over sources) at each evaluated round,
 * against the training tokens consumed by then (the same for every arm), over seeds; and at each
 * point the gap of every arm to a reference arm (the step-matched STD baseline), paired by seed, so
 * the report says whether a gap shrinks or grows with the budget. TRIM's figures over its held
 * rows and over every row sit side by side.
 */
public final class LearningCurves {

  /**
   * One arm, one seed, one evaluated round, means over the sources.
   *
   * @param tokens training tokens all tasks consumed by the end of {@code round}
   * @param bitsPerByteAllRows with the softmax over every vocabulary row (differs from {@code
   *     bitsPerByte} only where sources trained some rows: TRIM)
   * @param outsideRows validation targets outside the rows a source trained, over all sources
   * @param targets validation targets, over all sources
   */
  public record Point(long seed, String arm, int round, long tokens, double bitsPerByte, double bitsPerByteAllRows, long outsideRows,
      long targets) {}

  private LearningCurves() {}

  /** Round -> arm -> points (one per seed), rounds ascending, arms in first-seen order. */
  private static Map<Integer, Map<String, List<Point>>> byRound(List<Point> points) {
    Map<Integer, Map<String, List<Point>>> out = new TreeMap<>();
    points.forEach(p -> out.computeIfAbsent(p.round(), r -> new LinkedHashMap<>()).computeIfAbsent(p.arm(), a -> new ArrayList<>()).add(p));
    return out;
  }

  private static List<String> arms(List<Point> points) {
    List<String> arms = new ArrayList<>();
    points.forEach(p -> {
      if (!arms.contains(p.arm())) {
        arms.add(p.arm());
      }
    });
    return arms;
  }

  /** The curves table, then each arm's gap to {@code reference} at every point (paired t-test over seeds, 95%). */
  public static String markdown(List<Point> points, String reference) {
    if (points.isEmpty()) {
      return "";
    }
    List<String> arms = arms(points);
    StringBuilder b = new StringBuilder("## Learning curves\n\nValidation bits per byte (mean over sources; mean ± sd over seeds) after "
        + "each evaluated round, against the training tokens every arm had consumed by then.\n\n| round | tokens |");
    arms.forEach(a -> b.append(' ').append(a).append(" |"));
    b.append("\n| ---: | ---: |");
    arms.forEach(a -> b.append(" ---: |"));
    b.append('\n');
    byRound(points).forEach((round, byArm) -> {
      long tokens = byArm.values().iterator().next().get(0).tokens();
      b.append(String.format(Locale.ROOT, "| %d | %,d |", round, tokens));
      arms.forEach(a -> b.append(' ').append(byArm.containsKey(a) ? spread(byArm.get(a), Point::bitsPerByte).format("%.4f") : "").append(" |"));
      b.append('\n');
    });
    b.append("\n![learning curves](learning_curves.png)\n\n");
    if (arms.contains(reference)) {
      b.append("### The gap to ").append(reference).append(" as the budget grows\n\nArm minus ").append(reference)
          .append(" in bits per byte at each evaluated round, paired by seed (negative: the arm is ahead); * = beyond seed noise "
              + "(paired t, 95%).\n\n| round | tokens |");
      List<String> others = arms.stream().filter(a -> !a.equals(reference)).toList();
      others.forEach(a -> b.append(' ').append(a).append(" |"));
      b.append("\n| ---: | ---: |");
      others.forEach(a -> b.append(" ---: |"));
      b.append('\n');
      byRound(points).forEach((round, byArm) -> {
        if (round == 0 || !byArm.containsKey(reference)) {
          return;
        }
        b.append(String.format(Locale.ROOT, "| %d | %,d |", round, byArm.get(reference).get(0).tokens()));
        for (String a : others) {
          Study.Difference d = gap(byArm.getOrDefault(a, List.of()), byArm.get(reference), a, reference);
          b.append(' ').append(d.diff().n() == 0 ? "" : d.diff().format("%+.4f") + (d.separated() ? " *" : "")).append(" |");
        }
        b.append('\n');
      });
      b.append('\n');
    }
    return b.toString();
  }

  /** TRIM-like arms (any whose held-row and every-row figures differ) after their last round: both figures and the targets outside. */
  public static String rowsMarkdown(List<Point> points) {
    int last = points.stream().mapToInt(Point::round).max().orElse(0);
    Map<String, List<Point>> finals = new LinkedHashMap<>();
    points.stream().filter(p -> p.round() == last && Math.abs(p.bitsPerByte() - p.bitsPerByteAllRows()) > 1e-9)
        .forEach(p -> finals.computeIfAbsent(p.arm(), a -> new ArrayList<>()).add(p));
    if (finals.isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder("## Scored as trained: the held rows against every row\n\nA TRIM source trains only the token rows "
        + "its data uses, so its softmax covers those rows: that is the figure the arms table gives. A validation target outside them "
        + "costs ln V nats (a uniform guess over the global vocabulary); the count says how rare that is. The full-vocabulary figure "
        + "scores the same model with a softmax over rows the source never trained.\n\n| arm | bits per byte, held rows | "
        + "bits per byte, every row | targets outside the held rows |\n| --- | ---: | ---: | ---: |\n");
    finals.forEach((arm, ps) -> b.append(String.format(Locale.ROOT, "| %s | %s | %s | %,.0f of %,.0f (%.3f%%) |%n", arm,
        spread(ps, Point::bitsPerByte).format("%.4f"), spread(ps, Point::bitsPerByteAllRows).format("%.4f"),
        ps.stream().mapToLong(Point::outsideRows).average().orElse(0), ps.stream().mapToLong(Point::targets).average().orElse(0),
        100.0 * ps.stream().mapToLong(Point::outsideRows).sum() / Math.max(1, ps.stream().mapToLong(Point::targets).sum()))));
    return b.append('\n').toString();
  }

  private static Study.Difference gap(List<Point> arm, List<Point> reference, String a, String ref) {
    Map<Long, Double> refBySeed = new TreeMap<>();
    reference.forEach(p -> refBySeed.put(p.seed(), p.bitsPerByte()));
    double[] diffs = arm.stream().filter(p -> refBySeed.containsKey(p.seed()))
        .mapToDouble(p -> p.bitsPerByte() - refBySeed.get(p.seed())).toArray();
    return Study.separation(a, ref, Study.Spread.of(diffs));
  }

  private static Study.Spread spread(List<Point> ps, java.util.function.ToDoubleFunction<Point> f) {
    return Study.Spread.of(ps.stream().mapToDouble(f).toArray());
  }

  /** Bits per byte against training tokens, one line per arm (mean over seeds, whiskers ± 1 sd); round 0 left out. */
  public static byte[] plot(List<Point> points) {
    XYChart chart = new XYChartBuilder().width(ReportPlots.WIDTH).height(ReportPlots.HEIGHT)
        .title("Learning curves: validation bits per byte, mean over sources (± 1 sd over seeds)")
        .xAxisTitle("training tokens (every arm)").yAxisTitle("bits per byte").build();
    ReportPlots.style(chart.getStyler());
    Map<Integer, Map<String, List<Point>>> rounds = byRound(points);
    for (String arm : arms(points)) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      List<Double> err = new ArrayList<>();
      rounds.forEach((round, byArm) -> {
        if (round > 0 && byArm.containsKey(arm)) {
          Study.Spread s = spread(byArm.get(arm), Point::bitsPerByte);
          x.add((double) byArm.get(arm).get(0).tokens());
          y.add(s.mean());
          err.add(s.sd());
        }
      });
      if (!x.isEmpty()) {
        chart.addSeries(arm, x, y, err);
      }
    }
    return ReportPlots.png(chart);
  }
}
