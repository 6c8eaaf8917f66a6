package dept.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Robustness to the learning rate: some arms trained again at higher rates. Per arm and rate, the
 * final bits per byte over seeds, its change against the same arm at the config's rate (paired by
 * seed), and the tasks left out of their rounds as diverged: which arm degrades, or diverges, first.
 */
public final class LrRobustness {

  /**
   * @param arm the main arm (e.g. {@code spec}), whatever the rate
   * @param lr the peak learning rate the run trained at
   * @param excludedTasks task updates left out of their round as diverged (non-finite, or loss above max_loss_ratio)
   */
  public record Run(long seed, String arm, double lr, double bitsPerByte, long excludedTasks) {}

  private LrRobustness() {}

  /** Arm -> lr -> runs (one per seed), both sorted. */
  private static Map<String, TreeMap<Double, List<Run>>> grouped(List<Run> runs) {
    Map<String, TreeMap<Double, List<Run>>> out = new TreeMap<>();
    runs.forEach(r -> out.computeIfAbsent(r.arm(), a -> new TreeMap<>()).computeIfAbsent(r.lr(), l -> new ArrayList<>()).add(r));
    return out;
  }

  /** The section, or empty when only one rate was trained. */
  public static String markdown(List<Run> runs, double configLr) {
    Map<String, TreeMap<Double, List<Run>>> byArm = grouped(runs);
    if (byArm.values().stream().allMatch(m -> m.size() < 2)) {
      return "";
    }
    StringBuilder b = new StringBuilder("## Robustness to the learning rate\n\nEach arm at its peak learning rate (min_lr a tenth of it): final "
        + "bits per byte (mean ± sd over seeds), the change against the same arm at the config's rate (" + configLr + "; paired by seed, "
        + "* = beyond seed noise, paired t 95%), and the task updates left out as diverged.\n\n"
        + "| arm | learning rate | bits per byte | change vs lr " + configLr + " | diverged task updates |\n| --- | ---: | ---: | ---: | ---: |\n");
    byArm.forEach((arm, byLr) -> {
      List<Run> base = byLr.getOrDefault(configLr, List.of());
      byLr.forEach((lr, rs) -> {
        Study.Spread bpb = Study.Spread.of(rs.stream().mapToDouble(Run::bitsPerByte).toArray());
        String change = "";
        if (lr != configLr && !base.isEmpty()) {
          Study.Difference d = Study.separation(arm, arm, Study.Spread.of(paired(rs, base)));
          change = d.diff().format("%+.4f") + (d.separated() ? " *" : "");
        }
        b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %d |%n", arm, lr, bpb.format("%.4f"), change,
            rs.stream().mapToLong(Run::excludedTasks).sum()));
      });
    });
    return b.append("\n![learning-rate robustness](lr_robustness.png)\n\n").toString();
  }

  private static double[] paired(List<Run> rs, List<Run> base) {
    Map<Long, Double> bySeed = new TreeMap<>();
    base.forEach(r -> bySeed.put(r.seed(), r.bitsPerByte()));
    return rs.stream().filter(r -> bySeed.containsKey(r.seed())).mapToDouble(r -> r.bitsPerByte() - bySeed.get(r.seed())).toArray();
  }

  /** Final bits per byte against the learning rate (log x), one line per arm, whiskers ± 1 sd over seeds. */
  public static byte[] plot(List<Run> runs) {
    XYChart chart = new XYChartBuilder().width(ReportPlots.WIDTH).height(ReportPlots.HEIGHT)
        .title("Robustness to the learning rate: final bits per byte (± 1 sd over seeds)")
        .xAxisTitle("peak learning rate").yAxisTitle("bits per byte").build();
    ReportPlots.style(chart.getStyler());
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    grouped(runs).forEach((arm, byLr) -> {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      List<Double> err = new ArrayList<>();
      byLr.forEach((lr, rs) -> {
        Study.Spread s = Study.Spread.of(rs.stream().mapToDouble(Run::bitsPerByte).toArray());
        if (Double.isFinite(s.mean())) {
          x.add(lr);
          y.add(s.mean());
          err.add(s.sd());
        }
      });
      if (!x.isEmpty()) {
        chart.addSeries(arm, x, y, err);
      }
    });
    return ReportPlots.png(chart);
  }
}
