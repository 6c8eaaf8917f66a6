package dept.jobs.stages;

import dept.train.rounds.Variant;
import dept.eval.Comparison;
import dept.train.rounds.TrainedModel;
import dept.eval.HeldOutEvaluation;
import dept.prep.tokenizer.BpeTokenizer;
import dept.prep.tokenizer.TokenizerJson;
import dept.train.scoring.LanguageModelScore;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import dept.eval.VariantSummary;
import dept.jobs.run.Stage;
import dept.jobs.run.StageContext;
import dept.prep.io.AtomicOutput;
import dept.prep.io.HadoopFiles;
import dept.prep.io.InputPathException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** {@code dept evaluate}: every trained variant side by side, as Parquet and Markdown. */
public final class EvaluateStage implements Stage {

  static final StructType COMPARISON = new StructType()
      .add("variant", DataTypes.StringType, false)
      .add("rounds", DataTypes.IntegerType, false)
      .add("sources", DataTypes.IntegerType, false)
      .add("bits_per_byte_mean", DataTypes.DoubleType, false)
      .add("bits_per_byte_by_bytes", DataTypes.DoubleType, false)
      .add("val_loss_mean", DataTypes.DoubleType, false)
      .add("body_params", DataTypes.LongType, false)
      .add("embedding_params", DataTypes.LongType, false)
      .add("embedding_params_per_source", DataTypes.LongType, false)
      .add("embedding_bytes", DataTypes.LongType, false)
      .add("bytes_up_total", DataTypes.LongType, false)
      .add("bytes_down_total", DataTypes.LongType, false)
      .add("train_seconds", DataTypes.DoubleType, false)
      .add("tokens_per_second", DataTypes.DoubleType, false);

  static final StructType BITS_PER_BYTE = new StructType()
      .add("variant", DataTypes.StringType, false)
      .add("source", DataTypes.StringType, false)
      .add("bits_per_byte", DataTypes.DoubleType, false);

  static final StructType HELD_OUT = new StructType()
      .add("variant", DataTypes.StringType, false)
      .add("tokenizer", DataTypes.StringType, false)
      .add("table", DataTypes.StringType, false)   // the input table: the tokenizer's, or a source's (SPEC+GLOBALVOCAB)
      .add("bits_per_byte", DataTypes.DoubleType, false)
      .add("loss", DataTypes.DoubleType, false)
      .add("tokens", DataTypes.LongType, false)
      .add("bytes", DataTypes.LongType, false)
      .add("best", DataTypes.BooleanType, false);

  private final String heldOut;

  /** @param heldOut a JSONL ({@code text} field) or plain-text corpus to score every variant on, or null */
  public EvaluateStage(String heldOut) {
    this.heldOut = heldOut;
  }

  @Override
  public String name() {
    return "evaluate";
  }

  /** The configured variants that `dept train` completed, in config order. */
  static List<Comparison.VariantRun> trainedRuns(StageContext ctx) {
    List<Comparison.VariantRun> runs = new ArrayList<>();
    for (Variant variant : ctx.config().train().variants()) {
      if (variant.rtd()) {
        continue; // not a language model: `dept early-exit` scores replaced-token detection
      }
      String v = variant.name();
      if (AtomicOutput.isComplete(ctx.layout().trainModel(v), ctx.hadoop())) {
        runs.add(new Comparison.VariantRun(v, ctx.layout().trainModel(v), ctx.layout().trainMetrics(v),
            ctx.layout().trainValidation(v), ctx.layout().trainTimings(v)));
      }
    }
    if (runs.isEmpty()) {
      throw new InputPathException("no trained model under " + ctx.layout().train("*") + " for train.variants "
          + ctx.config().train().variants() + ": run `dept train` first");
    }
    return runs;
  }

  @Override
  public void run(StageContext ctx) {
    List<Comparison.VariantRun> runs = trainedRuns(ctx);
    Dataset<Row> heldOutTexts = heldOut == null ? null : HeldOutTexts.read(ctx.spark(), heldOut); // a bad line fails before any scoring
    Comparison comparison = new Comparison(ctx.spark(), ctx.hadoop());
    List<VariantSummary> summaries = comparison.summarize(runs);
    List<Row> rows = new ArrayList<>();
    summaries.forEach(s -> rows.add(RowFactory.create(s.variant(), s.rounds(), s.sources(), s.bitsPerByteUniform(),
        s.bitsPerByteByBytes(), s.meanLoss(), s.bodyParams(), s.embeddingParams(), s.embeddingParamsPerSource(), s.embeddingBytes(), s.bytesUpTotal(),
        s.bytesDownTotal(), s.trainSeconds(), s.tokensPerSecond())));
    AtomicOutput.writeParquet(ctx.spark().createDataFrame(rows, COMPARISON).coalesce(1), ctx.layout().comparison(), ctx.hadoop());
    List<Row> bpb = new ArrayList<>();
    for (Map.Entry<String, Map<String, Double>> e : comparison.bitsPerByte(runs).entrySet()) {
      e.getValue().forEach((source, value) -> bpb.add(RowFactory.create(e.getKey(), source, value)));
    }
    AtomicOutput.writeParquet(ctx.spark().createDataFrame(bpb, BITS_PER_BYTE).coalesce(1), ctx.layout().bitsPerByte(), ctx.hadoop());
    String markdown = Comparison.markdown(summaries);
    AtomicOutput.writeFile(ctx.layout().comparisonMarkdown(), markdown.getBytes(StandardCharsets.UTF_8), ctx.hadoop());
    System.out.print(markdown);
    System.out.printf("comparison: %s (and %s)%n", ctx.layout().comparison(), ctx.layout().comparisonMarkdown());
    SconeLookupEvaluation.run(ctx, runs);
    if (heldOutTexts != null) {
      evaluateHeldOut(ctx, runs, heldOutTexts);
      heldOutTexts.unpersist();
    }
  }

  /** Every variant on the held-out corpus, with every input table it has, each read with its tokenizer (rows name both). */
  private void evaluateHeldOut(StageContext ctx, List<Comparison.VariantRun> runs, Dataset<Row> texts) {
    List<Row> rows = new ArrayList<>();
    System.out.printf("held-out corpus %s: %d documents%n", heldOut, texts.count());
    System.out.printf("%-16s %-10s %-10s %14s %10s %10s%n", "variant", "tokenizer", "table", "bits per byte", "tokens", "best");
    for (Comparison.VariantRun run : runs) {
      TrainedModel model = TrainedModel.load(run.model(), ctx.hadoop());
      Map<String, String> json = new TreeMap<>();
      Map<String, BpeTokenizer> tokenizers = new TreeMap<>();
      for (String name : model.embeddings().keySet()) {
        json.put(name, HadoopFiles.read(ctx.layout().tokenizerJson(model.tokenizerOf(name)), ctx.hadoop()));
        tokenizers.put(name, TokenizerJson.read(json.get(name)));
      }
      Map<String, String> tokenizerOf = new TreeMap<>();
      tokenizers.keySet().forEach(t -> tokenizerOf.put(t, t));
      SortedMap<String, LanguageModelScore> scores = SconeLookupEvaluation.score(ctx, run.variant(), model,
          HeldOutEvaluation.blocks(texts, model.seqLen(), json), HeldOutEvaluation.MAX_BLOCKS, tokenizerOf,
          HeldOutEvaluation.tokenBytes(tokenizers));
      for (HeldOutEvaluation.Score s : HeldOutEvaluation.scores(run.variant(), scores)) {
        String table = s.tokenizer(); // the scoring unit: one per input table
        rows.add(RowFactory.create(s.variant(), model.tokenizerOf(table), table, s.bitsPerByte(), s.loss(), s.tokens(), s.bytes(), s.best()));
        System.out.printf(java.util.Locale.ROOT, "%-16s %-10s %-10s %14.3f %10d %10s%n", s.variant(), model.tokenizerOf(table), table,
            s.bitsPerByte(), s.tokens(), s.best() ? "best" : "");
      }
    }
    AtomicOutput.writeParquet(ctx.spark().createDataFrame(rows, HELD_OUT).coalesce(1), ctx.layout().heldOut(), ctx.hadoop());
    System.out.printf("held-out scores: %s%n", ctx.layout().heldOut());
  }
}
