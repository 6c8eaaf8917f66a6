package dept.jobs.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.sum;

import dept.eval.HeldOutEvaluation;
import dept.jobs.run.OutputLayout;
import dept.prep.io.HadoopConfig;
import dept.prep.io.HadoopFiles;
import dept.prep.tokenizer.BpeTokenizer;
import dept.prep.tokenizer.TokenizerJson;
import dept.prep.tokenizer.VocabConfig;
import dept.train.ml.DeptFunctions;
import dept.train.ml.DocumentScoringStage;
import dept.train.rounds.TrainedModel;
import dept.train.scoring.BroadcastModel;
import dept.train.scoring.LanguageModelScore;
import dept.train.scoring.LanguageModelScorer;
import dept.train.scoring.ScoringJob;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The scoring stage ({@link DocumentScoringStage}) on a run's validation documents against
 * {@code dept evaluate}'s own scoring of the same documents (its held-out path: the texts packed into
 * blocks in tasks, then the scoring job), with the same model in the same session on the same
 * cores; and the SQL function {@code dept_score}, one document per call. A one-tokenizer
 * variant (GLOB by default) makes both read the same tokens: the figures differ in how documents
 * are cut (the stage: each document alone, windows overlapping by one token, its last window
 * padded; evaluate: documents packed back to back) and in the work around the forward passes.
 */
public final class ScoringBenchmark {

  /** One contender's timed runs: what it scored and how fast. */
  public record Result(String name, long documents, long tokens, double bitsPerByte, double bestSeconds, double medianSeconds) {
    double documentsPerSecond() {
      return documents / bestSeconds;
    }

    double tokensPerSecond() {
      return tokens / bestSeconds;
    }
  }

  private final SparkSession spark;
  private final OutputLayout layout;
  private final Configuration hadoop;

  public ScoringBenchmark(SparkSession spark, OutputLayout layout, Configuration hadoop) {
    this.spark = spark;
    this.layout = layout;
    this.hadoop = hadoop;
  }

  /**
   * @param variant a trained variant with embeddings for the global tokenizer only
   * @param copies the validation documents repeated this many times (a longer, steadier measurement)
   * @param repeats timed runs per contender after one warm-up; the fastest counts
   */
  public String run(String variant, int copies, int repeats, BenchSummary summary) {
    TrainedModel model = TrainedModel.load(layout.trainModel(variant), hadoop);
    if (!model.embeddings().keySet().equals(java.util.Set.of(VocabConfig.GLOBAL))) {
      throw new IllegalArgumentException("bench scoring: " + variant + " reads each source with its own tokenizer ("
          + model.embeddings().keySet() + "); choose a variant with the global tokenizer only (GLOB, STD, ACT, TRIM)");
    }
    Dataset<Row> docs = spark.read().parquet(layout.documents()).where("split = 'val'").select("source", "text");
    Dataset<Row> repeated = docs;
    for (int c = 1; c < copies; c++) {
      repeated = repeated.union(docs);
    }
    int partitions = spark.sparkContext().defaultParallelism() * 2;
    Dataset<Row> texts = repeated.repartition(partitions).cache();
    long documents = texts.count();
    String json = HadoopFiles.read(layout.tokenizerJson(VocabConfig.GLOBAL), hadoop);
    BpeTokenizer tokenizer = TokenizerJson.read(json);

    List<Result> results = new ArrayList<>();
    results.add(time("scoring stage (DocumentScoringStage)", documents, repeats, () -> {
      Row r = new DocumentScoringStage().setModelDir(layout.trainModel(variant)).setTokenizersDir(layout.tokenizers()).transform(texts)
          .withColumn("bytes", expr("octet_length(text)"))
          .agg(sum(col("bits_per_byte").multiply(col("bytes"))), sum("bytes"), sum("token_count")).first();
      return new double[] {r.getDouble(0) / r.getLong(1), r.getLong(2)};
    }));
    results.add(time("peer: dept evaluate's scoring (held-out path)", documents, repeats, () -> {
      BroadcastModel weights = BroadcastModel.of(spark, model.model(), model.seqLen(), model.body(), model.embeddings());
      try {
        Dataset<Row> blocks = HeldOutEvaluation.blocks(texts, model.seqLen(), Map.of(VocabConfig.GLOBAL, json), Integer.MAX_VALUE);
        LanguageModelScore s = new ScoringJob(16).run(blocks, 0, new LanguageModelScorer(weights, Map.of(VocabConfig.GLOBAL, VocabConfig.GLOBAL),
            HeldOutEvaluation.tokenBytes(Map.of(VocabConfig.GLOBAL, tokenizer)), Map.of(), new HadoopConfig(hadoop))).get(VocabConfig.GLOBAL);
        return new double[] {s.metrics().bitsPerByte(), s.metrics().tokens()};
      } finally {
        weights.destroy();
      }
    }));
    DeptFunctions.register(spark, layout.tokenizers(), layout.trainModel(variant), "");
    texts.createOrReplaceTempView("bench_scoring_docs");
    results.add(time("SQL: dept_score(text, source), one document per call", documents, repeats, () -> {
      Row r = spark.sql("SELECT sum(s.bits_per_byte * bytes) / sum(bytes), sum(s.token_count) FROM "
          + "(SELECT dept_score(text, source) AS s, octet_length(text) AS bytes FROM bench_scoring_docs)").first();
      return new double[] {r.getDouble(0), r.getLong(1)};
    }));
    texts.unpersist();

    Result stage = results.get(0);
    Result evaluate = results.get(1);
    summary.add("scoring", "documents/s, scoring stage on " + variant + "'s validation documents", stage.documentsPerSecond(),
        "dept evaluate's scoring of the same documents", evaluate.documentsPerSecond(), true);
    return table(variant, model.seqLen(), partitions, copies, repeats, results);
  }

  private Result time(String name, long documents, int repeats, Supplier<double[]> work) {
    work.get(); // warm-up: JIT, the executors' model and tokenizer caches
    List<Double> seconds = new ArrayList<>();
    double[] last = null;
    for (int r = 0; r < repeats; r++) {
      long t0 = System.nanoTime();
      last = work.get();
      seconds.add((System.nanoTime() - t0) / 1e9);
    }
    List<Double> sorted = seconds.stream().sorted().toList();
    return new Result(name, documents, (long) last[1], last[0], sorted.get(0), sorted.get(sorted.size() / 2));
  }

  private String table(String variant, int seqLen, int partitions, int copies, int repeats, List<Result> results) {
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
        "scoring benchmark: %s, seq_len %d, the validation documents x %d in %d partitions on %s, best and median of %d runs after a warm-up%n",
        variant, seqLen, copies, partitions, spark.sparkContext().master(), repeats));
    String fmt = "%-64s %9s %10s %9s %9s %9s %11s %11s%n";
    out.append(String.format(Locale.ROOT, fmt, "contender", "documents", "tokens", "bpb", "best s", "median s", "docs/s", "tokens/s"));
    for (Result r : results) {
      out.append(String.format(Locale.ROOT, fmt, r.name(), r.documents(), r.tokens(), String.format(Locale.ROOT, "%.4f", r.bitsPerByte()),
          String.format(Locale.ROOT, "%.2f", r.bestSeconds()), String.format(Locale.ROOT, "%.2f", r.medianSeconds()),
          String.format(Locale.ROOT, "%.1f", r.documentsPerSecond()), String.format(Locale.ROOT, "%.0f", r.tokensPerSecond())));
    }
    out.append(String.format(Locale.ROOT, "scoring stage vs dept evaluate's scoring: %.2fx documents/s%n",
        results.get(0).documentsPerSecond() / results.get(1).documentsPerSecond()));
    return out.toString();
  }
}
