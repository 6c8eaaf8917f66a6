package dept.eval;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;

import dept.train.rounds.TrainedModel;
import dept.train.params.NamedTensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The variants of a run side by side, from what `dept train` wrote: validation after the last
 * round (bits per byte averaged over sources uniformly and by bytes), parameters of body and
 * embeddings (from the saved model), bytes communicated, wall time and training throughput.
 */
public final class Comparison {

  /** Where one variant's training outputs are. */
  public record VariantRun(String variant, String model, String metrics, String validation, String timings) {}

  private final SparkSession spark;
  private final Configuration hadoop;

  public Comparison(SparkSession spark, Configuration hadoop) {
    this.spark = spark;
    this.hadoop = hadoop;
  }

  public List<VariantSummary> summarize(List<VariantRun> runs) {
    List<VariantSummary> out = new ArrayList<>();
    for (VariantRun run : runs) {
      Dataset<Row> validation = spark.read().parquet(run.validation());
      int last = validation.agg(max("round")).first().getInt(0);
      Row v = validation.where(col("round").equalTo(last))
          .agg(avg("bits_per_byte"), sum(col("bits_per_byte").multiply(col("bytes"))).divide(sum("bytes")), avg("loss"),
              org.apache.spark.sql.functions.count("source"))
          .first();
      Row m = spark.read().parquet(run.metrics())
          .agg(sum("bytes_up"), sum("bytes_down"), sum("tokens"), sum("compute_ms"), avg("embedding_params")).first();
      Row t = spark.read().parquet(run.timings()).agg(sum("wall_ms")).first();
      TrainedModel model = TrainedModel.load(run.model(), hadoop);
      long embeddingParams = model.embeddings().values().stream().mapToLong(NamedTensors::parameterCount).sum();
      out.add(new VariantSummary(run.variant(), last, (int) v.getLong(3), v.getDouble(0), v.getDouble(1), v.getDouble(2),
          model.body().parameterCount(), embeddingParams, Math.round(m.getDouble(4)), m.getLong(0), m.getLong(1), t.getLong(0) / 1000.0,
          m.getLong(2) / Math.max(1e-9, m.getLong(3) / 1000.0)));
    }
    return out;
  }

  /** The summaries back from {@code evaluation/comparison} as {@code dept evaluate} wrote them. */
  public List<VariantSummary> read(String comparison) {
    List<VariantSummary> out = new ArrayList<>();
    for (Row r : spark.read().parquet(comparison).collectAsList()) {
      out.add(new VariantSummary(r.getAs("variant"), r.<Integer>getAs("rounds"), r.<Integer>getAs("sources"),
          r.<Double>getAs("bits_per_byte_mean"), r.<Double>getAs("bits_per_byte_by_bytes"), r.<Double>getAs("val_loss_mean"),
          r.<Long>getAs("body_params"), r.<Long>getAs("embedding_params"), r.<Long>getAs("embedding_params_per_source"),
          r.<Long>getAs("bytes_up_total"), r.<Long>getAs("bytes_down_total"), r.<Double>getAs("train_seconds"),
          r.<Double>getAs("tokens_per_second")));
    }
    return out;
  }

  /** Bits per byte after the last round, per variant and source: variant -> source -> value. */
  public Map<String, Map<String, Double>> bitsPerByte(List<VariantRun> runs) {
    Map<String, Map<String, Double>> out = new java.util.LinkedHashMap<>();
    for (VariantRun run : runs) {
      Dataset<Row> validation = spark.read().parquet(run.validation());
      int last = validation.agg(max("round")).first().getInt(0);
      Map<String, Double> bySource = new TreeMap<>();
      validation.where(col("round").equalTo(last)).select("source", "bits_per_byte").collectAsList()
          .forEach(r -> bySource.put(r.getString(0), r.getDouble(1)));
      out.put(run.variant(), bySource);
    }
    return out;
  }

  /** Validation loss over rounds per source: source -> {rounds, losses}. */
  public Map<String, double[][]> lossCurves(VariantRun run) {
    Map<String, List<double[]>> points = new TreeMap<>();
    spark.read().parquet(run.validation()).select("source", "round", "loss").orderBy("source", "round").collectAsList()
        .forEach(r -> points.computeIfAbsent(r.getString(0), k -> new ArrayList<>()).add(new double[] {r.getInt(1), r.getDouble(2)}));
    Map<String, double[][]> out = new TreeMap<>();
    points.forEach((source, p) -> out.put(source, columns(p)));
    return out;
  }

  /** MB sent up by all tasks, cumulative after each round: {rounds, MB}, starting at round 0. */
  public double[][] cumulativeMegabytesUp(VariantRun run) {
    List<double[]> points = new ArrayList<>();
    points.add(new double[] {0, 0});
    double total = 0;
    for (Row r : spark.read().parquet(run.metrics()).groupBy("round").agg(sum("bytes_up")).orderBy("round").collectAsList()) {
      total += r.getLong(1) / 1e6;
      points.add(new double[] {r.getInt(0), total});
    }
    return columns(points);
  }

  private static double[][] columns(List<double[]> points) {
    double[][] xy = new double[2][points.size()];
    for (int i = 0; i < points.size(); i++) {
      xy[0][i] = points.get(i)[0];
      xy[1][i] = points.get(i)[1];
    }
    return xy;
  }

  /** Bits per byte per source (rows) and variant (columns) as a Markdown table. */
  public static String bitsPerByteMarkdown(Map<String, Map<String, Double>> byVariant) {
    java.util.TreeSet<String> sources = new java.util.TreeSet<>();
    byVariant.values().forEach(m -> sources.addAll(m.keySet()));
    StringBuilder b = new StringBuilder("| source |");
    byVariant.keySet().forEach(v -> b.append(' ').append(v).append(" |"));
    b.append("\n| --- |");
    byVariant.keySet().forEach(v -> b.append(" ---: |"));
    b.append('\n');
    for (String s : sources) {
      b.append("| ").append(s).append(" |");
      byVariant.values().forEach(m -> b.append(m.containsKey(s) ? String.format(Locale.ROOT, " %.3f |", m.get(s)) : " |"));
      b.append('\n');
    }
    return b.toString();
  }

  /** The comparison as a Markdown table. */
  public static String markdown(List<VariantSummary> rows) {
    StringBuilder b = new StringBuilder();
    b.append("| variant | rounds | sources | bits/byte (mean) | bits/byte (by bytes) | val loss | body params | embedding params"
        + " (all tables) | embedding params per source | MB up | MB down | train s | tokens/s |\n");
    b.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (VariantSummary r : rows) {
      b.append(String.format(Locale.ROOT, "| %s | %d | %d | %.3f | %.3f | %.3f | %,d | %,d | %,d | %.1f | %.1f | %.1f | %,.0f |%n",
          r.variant(), r.rounds(), r.sources(), r.bitsPerByteUniform(), r.bitsPerByteByBytes(), r.meanLoss(), r.bodyParams(),
          r.embeddingParams(), r.embeddingParamsPerSource(), r.bytesUpTotal() / 1e6, r.bytesDownTotal() / 1e6, r.trainSeconds(),
          r.tokensPerSecond()));
    }
    return b.toString();
  }
}
