package dept.eval;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

/** The report's charts as PNG bytes (XChart, rendered headless). */
public final class ReportPlots {

  static final int WIDTH = 1000;
  static final int HEIGHT = 560;

  private ReportPlots() {}

  /** Validation loss over rounds, one line per source, for one variant. */
  public static byte[] lossCurves(String variant, Map<String, double[][]> bySource) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
        .title(variant + ": validation loss per source (round 0 = before training)")
        .xAxisTitle("round").yAxisTitle("validation loss (nats per token)").build();
    style(chart.getStyler());
    chart.getStyler().setXAxisDecimalPattern("0");
    bySource.forEach((source, xy) -> chart.addSeries(source, xy[0], xy[1]));
    return png(chart);
  }

  /** Bits per byte after the last round: sources on the x axis, one bar per variant. */
  public static byte[] bitsPerByte(Map<String, Map<String, Double>> byVariant) {
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
        .title("Validation bits per UTF-8 byte after the last round (lower is better)")
        .xAxisTitle("source").yAxisTitle("bits per byte").build();
    style(chart.getStyler());
    TreeSet<String> sources = new TreeSet<>();
    byVariant.values().forEach(m -> sources.addAll(m.keySet()));
    List<String> x = new ArrayList<>(sources);
    byVariant.forEach((variant, bySource) -> {
      List<Double> y = new ArrayList<>();
      x.forEach(s -> y.add(bySource.getOrDefault(s, 0.0)));
      chart.addSeries(variant, x, y);
    });
    return png(chart);
  }

  /** Cumulative bytes sent up (tasks to driver) after each round, one line per variant. */
  public static byte[] bytesCommunicated(Map<String, double[][]> byVariant) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
        .title("Bytes sent from tasks to the driver, cumulative")
        .xAxisTitle("round").yAxisTitle("MB sent up (cumulative)").build();
    style(chart.getStyler());
    chart.getStyler().setXAxisDecimalPattern("0");
    byVariant.forEach((variant, xy) -> chart.addSeries(variant, xy[0], xy[1]));
    return png(chart);
  }

  /** Embedding memory (float32): what one source's task holds, and all tables the variant keeps. */
  public static byte[] embeddingMemory(List<VariantSummary> rows) {
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
        .title("Embedding memory (float32)")
        .xAxisTitle("variant").yAxisTitle("MB").build();
    style(chart.getStyler());
    List<String> variants = rows.stream().map(VariantSummary::variant).toList();
    chart.addSeries("per source (one task)", variants,
        rows.stream().map(r -> (Number) (r.embeddingParamsPerSource() * Float.BYTES / 1e6)).toList());
    chart.addSeries("all tables kept", variants, rows.stream().map(r -> (Number) (r.embeddingBytes() / 1e6)).toList());
    return png(chart);
  }

  /**
   * SCONE's scaling sweep: validation bits per byte against one knob ({@code fgrams}: f-grams per
   * table; {@code layers}: f-gram model depth), through the no-SCONE baseline (x = 0) and the configured setting.
   */
  public static byte[] sconeScaling(List<SconeScaling.Point> points, String knob) {
    boolean byCount = knob.equals("fgrams");
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
        .title(byCount ? "SCONE: validation bits per byte vs f-grams per table (main model fixed)"
            : "SCONE: validation bits per byte vs f-gram model layers (main model fixed)")
        .xAxisTitle(byCount ? "f-grams per table (0 = no SCONE)" : "f-gram model layers (0 = no SCONE)")
        .yAxisTitle("validation bits per byte").build();
    style(chart.getStyler());
    List<SconeScaling.Point> line = new ArrayList<>(points.stream()
        .filter(p -> p.knob().equals("baseline") || p.knob().equals("configured") || p.knob().equals(knob)).toList());
    java.util.function.ToDoubleFunction<SconeScaling.Point> x = byCount ? p -> p.fgramsPerTable() : p -> p.fgramLayers();
    line.sort(java.util.Comparator.comparingDouble(x));
    chart.addSeries("bits per byte", line.stream().mapToDouble(x).toArray(), line.stream().mapToDouble(SconeScaling.Point::bitsPerByte).toArray());
    return png(chart);
  }

  /** Learning vs forgetting: each extension method's new-source bits per byte against its mean change on the original sources. */
  public static byte[] extensionTradeoff(String newSource, List<Extension.Summary> rows) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
        .title("Extension to " + newSource + ": learning vs forgetting (lower left is better)")
        .xAxisTitle("forgetting: mean change in bits per byte on the original sources")
        .yAxisTitle(newSource + " bits per byte after").build();
    style(chart.getStyler());
    chart.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
    chart.getStyler().setMarkerSize(12);
    if (!rows.isEmpty()) {
      chart.addSeries("base (before)", new double[] {0}, new double[] {rows.get(0).newBefore()});
    }
    rows.forEach(r -> chart.addSeries(r.method(), new double[] {r.forgettingMean()}, new double[] {r.newAfter()}));
    return png(chart);
  }

  /**
   * The learn-vs-forget frontier: per method, one point per learning rate (joined in lr order),
   * new-source bits per byte gained against the mean or the worst original source's change.
   */
  public static byte[] extensionFrontier(String newSource, List<ExtensionFrontier.Point> points, boolean worst) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
        .title("Extension to " + newSource + " over learning rates: learned vs forgotten (lower right is better)")
        .xAxisTitle(newSource + " bits per byte gained (before - after)")
        .yAxisTitle("forgetting, " + (worst ? "worst source" : "mean of sources") + " (bits/byte)").build();
    style(chart.getStyler());
    chart.getStyler().setMarkerSize(9);
    java.util.Map<String, List<ExtensionFrontier.Point>> byMethod = new java.util.LinkedHashMap<>();
    points.forEach(p -> byMethod.computeIfAbsent(p.method(), m -> new ArrayList<>()).add(p));
    byMethod.forEach((method, ps) -> chart.addSeries(method, ps.stream().mapToDouble(ExtensionFrontier.Point::learned).toArray(),
        ps.stream().mapToDouble(p -> worst ? p.forgettingWorst() : p.forgettingMean()).toArray()));
    return png(chart);
  }

  /** Early exit: accuracy against the share of token-layers not run, one line per run (on its own generator's set), one point per threshold. */
  public static byte[] earlyExit(List<EarlyExit.Point> points) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
        .title("Replaced-token detection: compute saved by early exit vs accuracy (points: exit thresholds)")
        .xAxisTitle("token-layers not run (%)").yAxisTitle("detection accuracy").build();
    style(chart.getStyler());
    java.util.Map<String, List<EarlyExit.Point>> byRun = new java.util.LinkedHashMap<>();
    points.stream().filter(EarlyExit.Point::ownSet).forEach(p -> byRun.computeIfAbsent(p.run(), r -> new ArrayList<>()).add(p));
    byRun.forEach((run, ps) -> {
      List<EarlyExit.Point> sorted = new ArrayList<>(ps);
      sorted.sort(java.util.Comparator.comparingDouble(EarlyExit.Point::skippedFraction));
      chart.addSeries(run, sorted.stream().mapToDouble(p -> 100 * p.skippedFraction()).toArray(),
          sorted.stream().mapToDouble(EarlyExit.Point::accuracy).toArray());
    });
    if (!points.isEmpty()) {
      double majority = points.get(0).majorityAccuracy();
      chart.addSeries("majority class", new double[] {0, 100}, new double[] {majority, majority});
    }
    return png(chart);
  }

  static void style(org.knowm.xchart.style.AxesChartStyler styler) {
    styler.setLegendPosition(Styler.LegendPosition.OutsideE);
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotGridLinesColor(new Color(220, 220, 220));
    styler.setChartTitleFont(styler.getChartTitleFont().deriveFont(16f));
    styler.setAxisTitleFont(styler.getAxisTitleFont().deriveFont(14f));
    styler.setAxisTickLabelsFont(styler.getAxisTickLabelsFont().deriveFont(12f));
    styler.setLegendFont(styler.getLegendFont().deriveFont(12f));
  }

  static byte[] png(Chart<?, ?> chart) {
    try {
      return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("could not render " + chart.getTitle(), e);
    }
  }
}
