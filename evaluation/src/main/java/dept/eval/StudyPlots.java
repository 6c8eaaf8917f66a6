package dept.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** The study report's charts (PNG). */
public final class StudyPlots {

  private StudyPlots() {}

  /** Mean bits per byte per arm with the seed-to-seed standard deviation as error bars. */
  public static byte[] armBitsPerByte(List<Study.ArmRun> runs) {
    CategoryChart chart = new CategoryChartBuilder().width(ReportPlots.WIDTH).height(ReportPlots.HEIGHT)
        .title("Validation bits per byte, mean over sources (bars: mean over seeds, whiskers: ± 1 sd)")
        .xAxisTitle("arm").yAxisTitle("bits per byte").build();
    ReportPlots.style(chart.getStyler());
    chart.getStyler().setLegendVisible(false);
    List<String> arms = new ArrayList<>();
    List<Double> means = new ArrayList<>();
    List<Double> sds = new ArrayList<>();
    Study.byArm(runs).forEach((arm, rs) -> {
      Study.Spread s = Study.spread(rs, Study.ArmRun::bitsPerByte);
      arms.add(arm);
      means.add(s.mean());
      sds.add(s.sd());
    });
    double lo = means.stream().mapToDouble(Double::doubleValue).min().orElse(0) - 3 * sds.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    chart.getStyler().setYAxisMin(Math.max(0, Math.floor(lo * 10 - 1) / 10));
    chart.addSeries("bits per byte", arms, means, sds);
    return ReportPlots.png(chart);
  }

  /** Per-source bits per byte (mean over seeds), one bar per arm. */
  public static byte[] perSource(Map<String, Map<String, Double>> bySource) {
    Map<String, Map<String, Double>> byArm = new java.util.LinkedHashMap<>();
    bySource.forEach((source, arms) -> arms.forEach((arm, v) -> byArm.computeIfAbsent(arm, k -> new java.util.TreeMap<>()).put(source, v)));
    return ReportPlots.bitsPerByte(byArm);
  }

  /** Extension: each method and seed as a point, forgetting on x, new-source bits per byte after on y. */
  public static byte[] extension(String newSource, List<Study.ExtensionRun> runs) {
    XYChart chart = new XYChartBuilder().width(ReportPlots.WIDTH).height(ReportPlots.HEIGHT)
        .title("Extension to " + newSource + ": learning vs forgetting, one point per seed (lower left is better)")
        .xAxisTitle("forgetting: mean change in bits per byte on the original sources")
        .yAxisTitle(newSource + " bits per byte after").build();
    ReportPlots.style(chart.getStyler());
    chart.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
    chart.getStyler().setMarkerSize(10);
    Map<String, List<Study.ExtensionRun>> byMethod = new java.util.LinkedHashMap<>();
    runs.forEach(r -> byMethod.computeIfAbsent(r.method(), k -> new ArrayList<>()).add(r));
    if (!runs.isEmpty()) {
      chart.addSeries("base (before)", runs.stream().mapToDouble(r -> 0).toArray(), runs.stream().mapToDouble(Study.ExtensionRun::newBefore).toArray());
    }
    byMethod.forEach((method, rs) -> chart.addSeries(method, rs.stream().mapToDouble(Study.ExtensionRun::forgettingMean).toArray(),
        rs.stream().mapToDouble(Study.ExtensionRun::newAfter).toArray()));
    return ReportPlots.png(chart);
  }
}
