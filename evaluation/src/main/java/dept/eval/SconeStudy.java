package dept.eval;

import dept.eval.Study.ArmRun;
import dept.eval.Study.Spread;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The study's SCONE sections: every {@code +SCONE} arm scored through its lookup tables next to its
 * f-gram model, SCONE's two knobs as curves over seeds, and the paper's comparison with a plain
 * model of about twice the inference FLOPs. Every bits-per-byte figure of a {@code +SCONE} arm here
 * is the inference path's (the tables); the f-gram model's is shown beside it once.
 */
public final class SconeStudy {

  /**
   * The arms around one {@code +SCONE} variant.
   *
   * @param plain the variant without SCONE (0 f-grams)
   * @param scone the variant with SCONE at the configured setting
   * @param larger the plain variant with each larger main model (empty: not run)
   */
  public record Arms(String plain, String scone, List<String> larger) {

    public Arms {
      larger = List.copyOf(larger);
    }
  }

  private SconeStudy() {}

  /** The Markdown section; empty when no arm has SCONE. */
  public static String markdown(List<ArmRun> runs, Arms arms) {
    Map<String, List<ArmRun>> byArm = Study.byArm(runs);
    List<String> sconeArms = byArm.entrySet().stream().filter(e -> e.getValue().get(0).scone()).map(Map.Entry::getKey).toList();
    if (sconeArms.isEmpty()) {
      return "";
    }
    StringBuilder md = new StringBuilder("## SCONE at inference: through the precomputed tables\n\n");
    md.append("Each `+SCONE` arm's f-gram model was precomputed into Parquet tables (`scone-precompute`) and the validation "
        + "blocks scored again through them, the f-gram model not run (`evaluation/scone_lookup` in the arm's run). The table "
        + "is held in host memory: that is the cost SCONE moves off the accelerator.\n\n");
    md.append("| arm | seeds | f-grams per table | f-gram model layers | bits per byte, f-gram model | bits per byte, lookup tables | "
        + "largest \\|diff\\| | lookup table MB per source (host) | embedding params per source |\n");
    md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (String arm : sconeArms) {
      List<ArmRun> rs = byArm.get(arm);
      double diff = rs.stream().mapToDouble(r -> Math.abs(r.bitsPerByteLookup() - r.bitsPerByte())).max().orElse(Double.NaN);
      md.append(String.format(Locale.ROOT, "| %s | %d | %,.0f | %d | %s | %s | %.1e | %.2f | %,.0f |%n", arm, rs.size(),
          Study.spread(rs, r -> r.fgramsPerTable()).mean(), rs.get(0).fgramLayers(), Study.spread(rs, ArmRun::bitsPerByte).format("%.4f"),
          Study.spread(rs, ArmRun::bitsPerByteLookup).format("%.4f"), diff, Study.spread(rs, r -> r.tableBytesPerSource()).mean() / 1e6,
          Study.spread(rs, r -> r.embeddingParamsPerSource()).mean()));
    }
    md.append('\n');
    List<String> fgramCurve = curve(byArm, arms, "fgrams", ArmRun::fgramsPerTable);
    if (fgramCurve.size() > 2) {
      md.append("## SCONE's first knob: f-grams per table\n\nThe same main model (and so the same inference FLOPs per token) at every "
          + "point; 0 is the arm without SCONE. Bits per byte through the tables, mean ± sd over seeds; each step is paired by seed "
          + "with the point before it (t-test, 95%).\n\n");
      md.append(curveMarkdown(byArm, fgramCurve, "f-grams per table", ArmRun::fgramsPerTable)).append('\n');
      md.append("![bits per byte over f-grams per table](scone_fgrams.png)\n\n");
    }
    List<String> layerCurve = curve(byArm, arms, "layers", r -> r.fgramLayers());
    if (layerCurve.size() > 2) {
      md.append("## SCONE's second knob: f-gram model depth\n\nThe f-gram model runs only in training and precomputation; at inference "
          + "its depth costs nothing but precompute time. Depth 0 is the arm without SCONE.\n\n");
      md.append(curveMarkdown(byArm, layerCurve, "f-gram model layers", r -> r.fgramLayers())).append('\n');
      md.append("![bits per byte over f-gram model depth](scone_layers.png)\n\n");
    }
    List<Study.Difference> ablations = new ArrayList<>();
    byArm.forEach((arm, rs) -> {
      if (rs.get(0).knob().equals("final_norm") && byArm.containsKey(arms.scone())) {
        ablations.add(Study.difference(runs, arm, arms.scone(), ArmRun::inferenceBitsPerByte));
      }
    });
    if (!ablations.isEmpty()) {
      md.append("## The f-gram model's final LayerNorm, ablated\n\nThe same arm with `train.scone.final_norm` switched (paired by seed, "
          + "through the tables; negative = the ablated arm is better).\n\n").append(Study.differencesMarkdown(ablations)).append('\n');
    }
    List<String> larger = arms.larger().stream().filter(byArm::containsKey).toList();
    if (!larger.isEmpty() && byArm.containsKey(arms.plain()) && byArm.containsKey(arms.scone())) {
      md.append(largerMarkdown(runs, byArm, arms, larger));
    }
    return md.toString();
  }

  /**
   * The arms of one knob's curve, ordered by the knob: the plain arm (0), the configured
   * {@code +SCONE} arm and the arms that vary {@code knob}.
   */
  static List<String> curve(Map<String, List<ArmRun>> byArm, Arms arms, String knob, java.util.function.ToDoubleFunction<ArmRun> x) {
    List<String> out = new ArrayList<>();
    byArm.forEach((arm, rs) -> {
      if (arm.equals(arms.plain()) || arm.equals(arms.scone()) || rs.get(0).knob().equals(knob)) {
        out.add(arm);
      }
    });
    out.sort(Comparator.comparingDouble(a -> Study.spread(byArm.get(a), x).mean()));
    return out;
  }

  private static String curveMarkdown(Map<String, List<ArmRun>> byArm, List<String> curve, String xName,
      java.util.function.ToDoubleFunction<ArmRun> x) {
    List<ArmRun> all = new ArrayList<>();
    byArm.values().forEach(all::addAll);
    StringBuilder b = new StringBuilder("| arm | " + xName + " | lookup table MB per source | bits per byte (inference path) | "
        + "change from the point before | beyond seed noise | change from no SCONE | beyond seed noise |\n");
    b.append("| --- | ---: | ---: | ---: | ---: | --- | ---: | --- |\n");
    String previous = null;
    for (String arm : curve) {
      List<ArmRun> rs = byArm.get(arm);
      b.append(String.format(Locale.ROOT, "| %s | %,.0f | %.2f | %s | ", arm, Study.spread(rs, x).mean(),
          Study.spread(rs, r -> r.tableBytesPerSource()).mean() / 1e6, Study.spread(rs, ArmRun::inferenceBitsPerByte).format("%.4f")));
      if (previous == null) {
        b.append(" |  |  |  |\n");
      } else {
        Study.Difference step = Study.difference(all, arm, previous, ArmRun::inferenceBitsPerByte);
        Study.Difference total = Study.difference(all, arm, curve.get(0), ArmRun::inferenceBitsPerByte);
        b.append(String.format(Locale.ROOT, "%s | %s | %s | %s |%n", step.diff().format("%+.4f"), step.separated() ? "yes" : "no",
            total.diff().format("%+.4f"), total.separated() ? "yes" : "no"));
      }
      previous = arm;
    }
    return b.toString();
  }

  /** SCONE against plain models with more inference FLOPs: how much of each larger model's gain SCONE recovers. */
  private static String largerMarkdown(List<ArmRun> runs, Map<String, List<ArmRun>> byArm, Arms arms, List<String> larger) {
    double plainFlops = Study.spread(byArm.get(arms.plain()), r -> r.inferenceFlops()).mean();
    StringBuilder b = new StringBuilder("## SCONE against a larger plain model (the paper's comparison)\n\n");
    b.append("Inference FLOPs per token from each main model's shapes (2 per body parameter, attention over the context, the output "
        + "head; lookups count 0, so SCONE's table adds none). The same training tokens in every arm.\n\n");
    b.append("| arm | inference MFLOPs per token | vs ").append(arms.plain()).append(" | lookup table MB per source (host) | "
        + "bits per byte (inference path) |\n| --- | ---: | ---: | ---: | ---: |\n");
    List<String> shown = new ArrayList<>(List.of(arms.plain(), arms.scone()));
    shown.addAll(larger);
    for (String arm : shown) {
      List<ArmRun> rs = byArm.get(arm);
      double flops = Study.spread(rs, r -> r.inferenceFlops()).mean();
      b.append(String.format(Locale.ROOT, "| %s | %.3f | %.2fx | %.2f | %s |%n", arm, flops / 1e6, flops / plainFlops,
          Study.spread(rs, r -> r.tableBytesPerSource()).mean() / 1e6, Study.spread(rs, ArmRun::inferenceBitsPerByte).format("%.4f")));
    }
    List<Study.Difference> diffs = new ArrayList<>(List.of(Study.difference(runs, arms.scone(), arms.plain(), ArmRun::inferenceBitsPerByte)));
    for (String arm : larger) {
      diffs.add(Study.difference(runs, arm, arms.plain(), ArmRun::inferenceBitsPerByte));
      diffs.add(Study.difference(runs, arms.scone(), arm, ArmRun::inferenceBitsPerByte));
    }
    b.append("\n| comparison (paired by seed) | bits per byte (mean ± sd) | beyond seed noise |\n| --- | ---: | --- |\n");
    for (Study.Difference d : diffs) {
      b.append(String.format(Locale.ROOT, "| %s − %s | %s | %s |%n", d.a(), d.b(), d.diff().format("%+.4f"), d.separated() ? "yes" : "no"));
    }
    b.append('\n');
    for (String arm : larger) {
      Study.Difference gain = Study.difference(runs, arm, arms.plain(), ArmRun::inferenceBitsPerByte);
      if (gain.diff().mean() < 0 && gain.separated()) {
        b.append(String.format(Locale.ROOT, "Share of %s's gain that SCONE recovers at %s's inference FLOPs, (%s − %s) / (%s − %s) per seed: "
            + "%s (1 = as good as the larger model).%n%n", arm, arms.plain(), arms.plain(), arms.scone(), arms.plain(), arm,
            recovered(runs, arms.plain(), arms.scone(), arm).format("%.2f")));
      } else {
        String verdict = gain.separated() ? "is worse than %s at this budget (%s bits per byte, beyond seed noise)"
            : "is not better than %s beyond seed noise at this budget (%s bits per byte)";
        b.append(String.format(Locale.ROOT, "%s " + verdict + ", so the share of its gain SCONE recovers is undefined here: the "
            + "comparison needs a budget at which the larger model wins.%n%n", arm, arms.plain(), gain.diff().format("%+.4f")));
      }
    }
    return b.toString();
  }

  /** Per seed, (plain − scone) / (plain − larger): 1 = SCONE matches the larger model, above 1 = beats it. */
  static Spread recovered(List<ArmRun> runs, String plain, String scone, String larger) {
    Map<Long, double[]> bySeed = new LinkedHashMap<>();
    for (ArmRun r : runs) {
      int i = r.arm().equals(plain) ? 0 : r.arm().equals(scone) ? 1 : r.arm().equals(larger) ? 2 : -1;
      if (i >= 0) {
        bySeed.computeIfAbsent(r.seed(), k -> new double[] {Double.NaN, Double.NaN, Double.NaN})[i] = r.inferenceBitsPerByte();
      }
    }
    return Spread.of(bySeed.values().stream().filter(v -> !Double.isNaN(v[0] + v[1] + v[2]))
        .mapToDouble(v -> (v[0] - v[1]) / (v[0] - v[2])).toArray());
  }

  /** The knob curves as PNG charts by file name ({@code scone_fgrams.png}, {@code scone_layers.png}) where they have points. */
  public static Map<String, byte[]> plots(List<ArmRun> runs, Arms arms) {
    Map<String, List<ArmRun>> byArm = Study.byArm(runs);
    Map<String, byte[]> out = new LinkedHashMap<>();
    List<String> fgrams = curve(byArm, arms, "fgrams", ArmRun::fgramsPerTable);
    if (fgrams.size() > 2 && byArm.values().stream().anyMatch(rs -> rs.get(0).scone())) {
      out.put("scone_fgrams.png", curvePlot(byArm, fgrams, "f-grams per table (log scale)", ArmRun::fgramsPerTable, true));
    }
    List<String> layers = curve(byArm, arms, "layers", r -> r.fgramLayers());
    if (layers.size() > 2) {
      out.put("scone_layers.png", curvePlot(byArm, layers, "f-gram model layers", r -> r.fgramLayers(), false));
    }
    return out;
  }

  private static byte[] curvePlot(Map<String, List<ArmRun>> byArm, List<String> curve, String xName,
      java.util.function.ToDoubleFunction<ArmRun> x, boolean log) {
    XYChart chart = new XYChartBuilder().width(ReportPlots.WIDTH).height(ReportPlots.HEIGHT)
        .title("Validation bits per byte through the lookup tables (mean over seeds, whiskers: ± 1 sd)")
        .xAxisTitle(xName).yAxisTitle("bits per byte").build();
    ReportPlots.style(chart.getStyler());
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    chart.getStyler().setXAxisLogarithmic(log);
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    List<Double> sds = new ArrayList<>();
    Spread none = null;
    for (String arm : curve) {
      List<ArmRun> rs = byArm.get(arm);
      Spread y = Study.spread(rs, ArmRun::inferenceBitsPerByte);
      double at = Study.spread(rs, x).mean();
      if (log && at <= 0) {
        none = y; // no f-gram: a line, a log axis has no 0
        continue;
      }
      xs.add(at);
      ys.add(y.mean());
      sds.add(y.sd());
    }
    chart.addSeries("with SCONE", xs, ys, sds);
    if (none != null && !xs.isEmpty()) {
      double lo = xs.get(0);
      double hi = xs.get(xs.size() - 1);
      chart.addSeries("no SCONE", List.of(lo, hi), List.of(none.mean(), none.mean()));
    }
    return ReportPlots.png(chart);
  }
}
