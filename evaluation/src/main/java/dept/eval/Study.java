package dept.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * The reproduction study's tables: every arm's runs (one per seed) reduced to mean and spread,
 * per-source means, paired differences between arms with a t-test over seeds, and the extension.
 */
public final class Study {

  /** One source's validation after an arm's last round with one seed. */
  public record SourceScore(long seed, String arm, String source, double loss, double unigramLoss, double bitsPerByte) {

    /** Perplexity over the unigram model's perplexity on the same tokens (1 = no better than token frequencies). */
    public double unigramNormalizedPerplexity() {
      return Math.exp(loss - unigramLoss);
    }
  }

  /**
   * One arm trained with one seed.
   *
   * @param temperature the STD mixture temperature (NaN for the other variants)
   * @param bitsPerByte mean over the training sources
   * @param logPplU mean over sources of log(unigram-normalised perplexity)
   * @param tokens training tokens all tasks consumed (the token budget)
   * @param knob {@code main}, or the SCONE setting the arm varies ({@code fgrams}, {@code layers}, {@code larger})
   * @param inferenceFlops the main model's forward FLOPs per token, from its shapes
   * @param fgramsPerTable f-grams in each lookup table (mean over sources; 0 without SCONE)
   * @param fgramLayers the f-gram model's depth (0 without SCONE)
   * @param bitsPerByteLookup mean over sources through the precomputed lookup tables (NaN without SCONE)
   * @param tableBytesPerSource host memory of the lookup table one source's inference reads (0 without SCONE)
   */
  public record ArmRun(long seed, String arm, String variant, double temperature, double bitsPerByte, double logPplU, long tokens,
      long embeddingParams, long embeddingParamsPerSource, long bytesUp, long bytesDown, double trainSeconds, String knob,
      long inferenceFlops, long fgramsPerTable, int fgramLayers, double bitsPerByteLookup, long tableBytesPerSource) {

    public boolean scone() {
      return !Double.isNaN(bitsPerByteLookup);
    }

    /** Bits per byte the way the model runs at inference: through the lookup tables for SCONE, else the trained model's. */
    public double inferenceBitsPerByte() {
      return scone() ? bitsPerByteLookup : bitsPerByte;
    }
  }

  /** One extension method on one seed's base model. */
  public record ExtensionRun(long seed, String method, double newBefore, double newAfter, double forgettingMean, double forgettingMax) {}

  /** Mean and sample standard deviation over seeds. */
  public record Spread(double mean, double sd, int n) {

    public static Spread of(double[] values) {
      double mean = java.util.Arrays.stream(values).average().orElse(Double.NaN);
      double ss = java.util.Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum();
      return new Spread(mean, values.length > 1 ? Math.sqrt(ss / (values.length - 1)) : 0, values.length);
    }

    String format(String fmt) {
      return String.format(Locale.ROOT, fmt + " ± " + fmt.replace("+", ""), mean, sd);
    }
  }

  /** Arm a minus arm b, paired by seed. {@code separated}: a two-sided paired t-test at 95% rejects "no difference". */
  public record Difference(String a, String b, Spread diff, boolean separated) {}

  // two-sided 95% critical values of Student's t for 1..10 degrees of freedom
  private static final double[] T95 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228};

  private Study() {}

  /** Arm name -> its runs, in first-seen order. */
  public static Map<String, List<ArmRun>> byArm(List<ArmRun> runs) {
    Map<String, List<ArmRun>> out = new LinkedHashMap<>();
    runs.forEach(r -> out.computeIfAbsent(r.arm(), k -> new ArrayList<>()).add(r));
    return out;
  }

  public static Spread spread(List<ArmRun> runs, ToDoubleFunction<ArmRun> f) {
    return Spread.of(runs.stream().mapToDouble(f).toArray());
  }

  /** The paired difference of the mean bits per byte of arm {@code a} and arm {@code b} over the seeds both ran. */
  public static Difference difference(List<ArmRun> runs, String a, String b) {
    return difference(runs, a, b, ArmRun::bitsPerByte);
  }

  /** The paired difference of {@code metric} between arm {@code a} and arm {@code b} over the seeds both ran. */
  public static Difference difference(List<ArmRun> runs, String a, String b, ToDoubleFunction<ArmRun> metric) {
    Map<Long, Double> first = new LinkedHashMap<>();
    runs.stream().filter(r -> r.arm().equals(a)).forEach(r -> first.put(r.seed(), metric.applyAsDouble(r)));
    List<Double> diffs = new ArrayList<>();
    runs.stream().filter(r -> r.arm().equals(b) && first.containsKey(r.seed()))
        .forEach(r -> diffs.add(first.get(r.seed()) - metric.applyAsDouble(r)));
    return separation(a, b, Spread.of(diffs.stream().mapToDouble(Double::doubleValue).toArray()));
  }

  /** {@code d}, paired differences over seeds, against a two-sided paired t-test at 95%. */
  public static Difference separation(String a, String b, Spread d) {
    boolean separated = d.n() >= 2 && d.sd() > 0
        ? Math.abs(d.mean()) / (d.sd() / Math.sqrt(d.n())) > T95[Math.min(d.n() - 1, T95.length) - 1]
        : d.n() >= 2 && d.mean() != 0;
    return new Difference(a, b, d, separated);
  }

  /** Source -> arm -> mean bits per byte over seeds. */
  public static Map<String, Map<String, Double>> perSourceMeans(List<SourceScore> scores, ToDoubleFunction<SourceScore> f) {
    Map<String, Map<String, List<Double>>> acc = new java.util.TreeMap<>();
    scores.forEach(s -> acc.computeIfAbsent(s.source(), k -> new LinkedHashMap<>()).computeIfAbsent(s.arm(), k -> new ArrayList<>())
        .add(f.applyAsDouble(s)));
    Map<String, Map<String, Double>> out = new java.util.TreeMap<>();
    acc.forEach((source, arms) -> {
      Map<String, Double> m = new LinkedHashMap<>();
      arms.forEach((arm, v) -> m.put(arm, v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN)));
      out.put(source, m);
    });
    return out;
  }

  /** The arms table: quality (mean ± sd over seeds) and cost, with embedding memory and communication relative to {@code reference}. */
  public static String armsMarkdown(List<ArmRun> runs, String reference) {
    Map<String, List<ArmRun>> arms = byArm(runs);
    List<ArmRun> ref = arms.getOrDefault(reference, List.of());
    double refEmb = ref.isEmpty() ? Double.NaN : spread(ref, r -> r.embeddingParamsPerSource()).mean();
    double refUp = ref.isEmpty() ? Double.NaN : spread(ref, r -> r.bytesUp()).mean();
    StringBuilder b = new StringBuilder();
    b.append("| arm | seeds | bits per byte (mean over sources) | unigram-normalised perplexity (geo-mean) | training tokens | "
        + "embedding params per source | vs ").append(reference).append(" | lookup table MB per source (host) | inference MFLOPs per token "
        + "| MB sent up | vs ").append(reference).append(" | MB sent down | train s |\n");
    b.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    arms.forEach((arm, rs) -> {
      Spread bpb = spread(rs, ArmRun::bitsPerByte);
      Spread logPpl = spread(rs, ArmRun::logPplU);
      double emb = spread(rs, r -> r.embeddingParamsPerSource()).mean();
      double up = spread(rs, r -> r.bytesUp()).mean();
      double table = spread(rs, r -> r.tableBytesPerSource()).mean();
      b.append(String.format(Locale.ROOT, "| %s | %d | %s | %.3f (x/÷ %.3f) | %,.0f | %,.0f | %s | %s | %.3f | %,.1f | %s | %,.1f | %s |%n", arm,
          rs.size(), bpb.format("%.4f"), Math.exp(logPpl.mean()), Math.exp(logPpl.sd()), spread(rs, r -> r.tokens()).mean(), emb,
          ratio(refEmb, emb), table > 0 ? String.format(Locale.ROOT, "%.2f", table / 1e6) : "0", spread(rs, r -> r.inferenceFlops()).mean() / 1e6,
          up / 1e6, ratio(refUp, up), spread(rs, r -> r.bytesDown()).mean() / 1e6, spread(rs, ArmRun::trainSeconds).format("%.0f")));
    });
    return b.toString();
  }

  private static String ratio(double reference, double value) {
    if (Double.isNaN(reference) || value <= 0) {
      return "";
    }
    if (Math.abs(reference - value) <= 1e-9 * reference) {
      return "1.00x";
    }
    return reference >= value ? String.format(Locale.ROOT, "%.2fx less", reference / value)
        : String.format(Locale.ROOT, "%.2fx more", value / reference);
  }

  /** Paired differences of mean bits per byte (first arm minus second; negative = the first is better). */
  public static String differencesMarkdown(List<Difference> diffs) {
    StringBuilder b = new StringBuilder("| comparison | difference in bits per byte (mean ± sd over seeds) | beyond seed noise (paired t, 95%) |\n");
    b.append("| --- | ---: | --- |\n");
    for (Difference d : diffs) {
      b.append(String.format(Locale.ROOT, "| %s − %s | %s | %s |%n", d.a(), d.b(), d.diff().format("%+.4f"), d.separated() ? "yes" : "no"));
    }
    return b.toString();
  }

  /** Sources as rows, arms as columns: a metric's mean over seeds. */
  public static String perSourceMarkdown(Map<String, Map<String, Double>> bySource, String fmt) {
    TreeSet<String> seen = new TreeSet<>();
    List<String> arms = new ArrayList<>();
    bySource.values().forEach(m -> m.keySet().forEach(a -> {
      if (seen.add(a)) {
        arms.add(a);
      }
    }));
    StringBuilder b = new StringBuilder("| source | ").append(String.join(" | ", arms)).append(" |\n| --- |");
    arms.forEach(a -> b.append(" ---: |"));
    b.append('\n');
    bySource.forEach((source, m) -> {
      b.append("| ").append(source).append(" |");
      arms.forEach(a -> b.append(' ').append(m.containsKey(a) ? String.format(Locale.ROOT, fmt, m.get(a)) : "").append(" |"));
      b.append('\n');
    });
    return b.toString();
  }

  /** Extension methods over seeds: the new source before/after and the forgetting on the original sources. */
  public static String extensionMarkdown(String newSource, List<ExtensionRun> runs) {
    Map<String, List<ExtensionRun>> byMethod = new LinkedHashMap<>();
    runs.forEach(r -> byMethod.computeIfAbsent(r.method(), k -> new ArrayList<>()).add(r));
    StringBuilder b = new StringBuilder("| method | seeds | " + newSource + " before | " + newSource + " after | learned (before − after) | "
        + "forgetting, mean over sources | forgetting, worst source |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    byMethod.forEach((method, rs) -> b.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s |%n", method, rs.size(),
        Spread.of(rs.stream().mapToDouble(ExtensionRun::newBefore).toArray()).format("%.3f"),
        Spread.of(rs.stream().mapToDouble(ExtensionRun::newAfter).toArray()).format("%.3f"),
        Spread.of(rs.stream().mapToDouble(r -> r.newBefore() - r.newAfter()).toArray()).format("%.3f"),
        Spread.of(rs.stream().mapToDouble(ExtensionRun::forgettingMean).toArray()).format("%+.4f"),
        Spread.of(rs.stream().mapToDouble(ExtensionRun::forgettingMax).toArray()).format("%+.4f"))));
    return b.toString();
  }
}
