package dept.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * What averaging costs: at each validation round, each source's model as its task trained it
 * (before aggregation) and the aggregated model, scored on the same validation sample
 * ({@code train.local_validation}). The cost is aggregated minus local bits per byte, mean over the
 * sources, over seeds; zero when one source trains alone.
 */
public final class AveragingCost {

  /** One source of one arm and seed after {@code round}: bits per byte before and after aggregation. */
  public record Point(long seed, String arm, int round, String source, double local, double aggregated) {}

  private AveragingCost() {}

  /** Arm -> round -> seed -> mean over sources of aggregated − local. */
  private static Map<String, TreeMap<Integer, TreeMap<Long, Double>>> costs(List<Point> points) {
    Map<String, TreeMap<Integer, TreeMap<Long, List<Double>>>> acc = new LinkedHashMap<>();
    points.forEach(p -> acc.computeIfAbsent(p.arm(), a -> new TreeMap<>()).computeIfAbsent(p.round(), r -> new TreeMap<>())
        .computeIfAbsent(p.seed(), s -> new ArrayList<>()).add(p.aggregated() - p.local()));
    Map<String, TreeMap<Integer, TreeMap<Long, Double>>> out = new LinkedHashMap<>();
    acc.forEach((arm, rounds) -> rounds.forEach((round, seeds) -> seeds.forEach((seed, v) -> out.computeIfAbsent(arm, a -> new TreeMap<>())
        .computeIfAbsent(round, r -> new TreeMap<>()).put(seed, v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN)))));
    return out;
  }

  /** The section (empty when no arm measured its local models). */
  public static String markdown(List<Point> points) {
    if (points.isEmpty()) {
      return "";
    }
    Map<String, TreeMap<Integer, TreeMap<Long, Double>>> costs = costs(points);
    TreeMap<Integer, Boolean> rounds = new TreeMap<>();
    costs.values().forEach(m -> m.keySet().forEach(r -> rounds.put(r, true)));
    StringBuilder b = new StringBuilder("## What averaging costs\n\nAt each validation round, every source's model as its task "
        + "trained it and the aggregated model, on the same validation text: aggregated minus local bits per byte, mean over sources "
        + "(mean ± sd over seeds; * = beyond seed noise, paired t 95%). Positive: averaging undid part of what the round's local steps "
        + "learned for that source.\n\n| arm |");
    rounds.keySet().forEach(r -> b.append(" round ").append(r).append(" |"));
    b.append("\n| --- |");
    rounds.keySet().forEach(r -> b.append(" ---: |"));
    b.append('\n');
    costs.forEach((arm, byRound) -> {
      b.append("| ").append(arm).append(" |");
      rounds.keySet().forEach(r -> {
        TreeMap<Long, Double> seeds = byRound.get(r);
        if (seeds == null) {
          b.append(" |");
          return;
        }
        Study.Difference d = Study.separation(arm, arm, Study.Spread.of(seeds.values().stream().mapToDouble(Double::doubleValue).toArray()));
        b.append(' ').append(d.diff().format("%+.4f")).append(d.separated() ? " *" : "").append(" |");
      });
      b.append('\n');
    });
    return b.append("\n![what averaging costs](averaging_cost.png)\n\n").toString();
  }

  /** The cost against the round, one line per arm (± 1 sd over seeds). */
  public static byte[] plot(List<Point> points) {
    XYChart chart = new XYChartBuilder().width(ReportPlots.WIDTH).height(ReportPlots.HEIGHT)
        .title("What averaging costs: aggregated − local bits per byte, mean over sources (± 1 sd over seeds)")
        .xAxisTitle("round").yAxisTitle("bits per byte lost to averaging").build();
    ReportPlots.style(chart.getStyler());
    costs(points).forEach((arm, byRound) -> {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      List<Double> err = new ArrayList<>();
      byRound.forEach((round, seeds) -> {
        Study.Spread s = Study.Spread.of(seeds.values().stream().mapToDouble(Double::doubleValue).toArray());
        x.add((double) round);
        y.add(s.mean());
        err.add(s.sd());
      });
      chart.addSeries(arm, x, y, err);
    });
    return ReportPlots.png(chart);
  }
}
