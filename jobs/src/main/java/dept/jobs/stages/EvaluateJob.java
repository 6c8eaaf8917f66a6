package dept.jobs.stages;

import dept.eval.Comparison;
import dept.eval.VariantSummary;
import dept.jobs.cli.Stage;
import dept.jobs.cli.StageContext;
import dept.prep.io.AtomicOutput;
import dept.prep.io.HadoopFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** {@code dept evaluate}: every trained variant side by side, as Parquet and Markdown. */
public final class EvaluateJob implements Stage {

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

  @Override
  public String name() {
    return "evaluate";
  }

  /** The configured variants that `dept train` completed, in config order. */
  static List<Comparison.VariantRun> trainedRuns(StageContext ctx) {
    List<Comparison.VariantRun> runs = new ArrayList<>();
    for (String v : ctx.config().train().variants()) {
      if (AtomicOutput.isComplete(ctx.layout().trainModel(v), ctx.hadoop())) {
        runs.add(new Comparison.VariantRun(v, ctx.layout().trainModel(v), ctx.layout().trainMetrics(v),
            ctx.layout().trainValidation(v), ctx.layout().trainTimings(v)));
      }
    }
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("no trained model under " + ctx.layout().train("*") + " for train.variants "
          + ctx.config().train().variants() + ": run `dept train` first");
    }
    return runs;
  }

  @Override
  public void run(StageContext ctx) {
    List<Comparison.VariantRun> runs = trainedRuns(ctx);
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
    HadoopFiles.write(ctx.layout().comparisonMarkdown(), markdown, ctx.hadoop());
    System.out.print(markdown);
    System.out.printf("comparison: %s (and %s)%n", ctx.layout().comparison(), ctx.layout().comparisonMarkdown());
  }
}
