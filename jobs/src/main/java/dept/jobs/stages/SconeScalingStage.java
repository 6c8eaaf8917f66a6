package dept.jobs.stages;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;

import dept.eval.SconeScaling;
import dept.jobs.run.Stage;
import dept.jobs.run.StageContext;
import dept.prep.io.AtomicOutput;
import dept.prep.tokenizer.VocabConfig;
import dept.train.rounds.BlockFiles;
import dept.train.rounds.RoundEngine;
import dept.train.rounds.RunLog;
import dept.train.rounds.Variant;
import dept.train.rounds.TrainConfig;
import dept.train.model.InferenceFlops;
import dept.train.model.ModelConfig;
import dept.train.scone.SconeConfig;
import dept.train.scone.SconeModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * {@code dept scone-scaling}: SCONE's two scaling knobs, one at a time, on the first {@code +SCONE}
 * variant of {@code train.variants}: the number of f-grams ({@code train.scone.scaling.fgrams}) and
 * the f-gram model's depth ({@code train.scone.scaling.layers}), each a full run with the train
 * stage's settings. The variant without SCONE (0 f-grams) and the configured setting come from the
 * train stage's own runs when present. The main model, and so its inference FLOPs per token, is
 * the same in every row; what grows is the table in host memory and the training-time f-gram model.
 */
public final class SconeScalingStage implements Stage {

  @Override
  public String name() {
    return "scone-scaling";
  }

  @Override
  public void run(StageContext ctx) {
    List<Variant> variants = SconePrecomputeStage.sconeVariants(ctx);
    TrainConfig train = ctx.config().train();
    SconeConfig.Scaling sweep = train.scone().scaling();
    if (variants.isEmpty() || (sweep.fgrams().isEmpty() && sweep.layers().isEmpty())) {
      System.out.println("scone-scaling: needs a +SCONE variant in train.variants and train.scone.scaling.fgrams or .layers; nothing to run");
      return;
    }
    ctx.requireComplete(ctx.layout().blocks(), "tokenize");
    Variant scone = variants.get(0);
    String variant = scone.name();
    Variant plain = scone.withoutScone();
    Dataset<Row> blocks = ctx.spark().read().parquet(ctx.layout().blocks());
    List<String> sources = TrainStage.trainingSources(ctx, blocks);
    List<String> tokenizers = plain.globalVocabulary() ? List.of(VocabConfig.GLOBAL) : sources;
    TokenizerTables tables = TokenizerTables.load(ctx, tokenizers);
    Map<String, List<int[]>> fgrams = TrainStage.fgramSets(ctx);
    ModelConfig model = ctx.config().model();
    int seqLen = ctx.config().tokenize().seqLen();

    List<SconeScaling.Point> points = new ArrayList<>();
    points.add(point(ctx, "baseline", plain, train, null, tables, fgrams, tokenizers, blocks, sources, model, seqLen));
    points.add(point(ctx, "configured", scone, train, train.scone(), tables, fgrams, tokenizers, blocks, sources, model, seqLen));
    for (int k : sweep.fgrams()) {
      if (k != train.scone().fgrams()) {
        points.add(point(ctx, "fgrams", scone, train, train.scone().withFgrams(k), tables, fgrams, tokenizers, blocks, sources, model, seqLen));
      }
    }
    for (int l : sweep.layers()) {
      if (l != train.scone().layers()) {
        points.add(point(ctx, "layers", scone, train, train.scone().withLayers(l), tables, fgrams, tokenizers, blocks, sources, model, seqLen));
      }
    }
    List<Row> rows = new ArrayList<>();
    points.forEach(p -> rows.add(RowFactory.create(variant, p.knob(), p.fgramsPerTable(), p.fgramLayers(), p.fgramModelParams(),
        p.tableRows(), p.tableBytes(), p.mainFlopsPerToken(), p.bitsPerByte(), p.valLoss())));
    AtomicOutput.writeParquet(ctx.spark().createDataFrame(rows, SconeScaling.SCHEMA).coalesce(1), ctx.layout().sconeScaling(), ctx.hadoop());
    System.out.print(SconeScaling.markdown(variant, points));
    System.out.printf("SCONE scaling: %s%n", ctx.layout().sconeScaling());
  }

  /** One setting's final validation: from the train stage's run when it is the same setting, else trained here. */
  private static SconeScaling.Point point(StageContext ctx, String knob, Variant policy, TrainConfig train, SconeConfig scone,
      TokenizerTables tables, Map<String, List<int[]>> fgrams, List<String> tokenizers, Dataset<Row> blocks, List<String> sources,
      ModelConfig model, int seqLen) {
    String name = policy.name();
    boolean trainedAlready = (knob.equals("baseline") || knob.equals("configured")) && train.variants().contains(policy)
        && AtomicOutput.isComplete(ctx.layout().trainValidation(name), ctx.hadoop());
    double bpb;
    double loss;
    if (trainedAlready) {
      Dataset<Row> v = ctx.spark().read().parquet(ctx.layout().trainValidation(name));
      int last = v.agg(max("round")).first().getInt(0);
      Row r = v.where(col("round").equalTo(last)).agg(org.apache.spark.sql.functions.avg("bits_per_byte"),
          org.apache.spark.sql.functions.avg("loss")).first();
      bpb = r.getDouble(0);
      loss = r.getDouble(1);
    } else {
      String label = knob + (scone == null ? "" : "-k" + scone.fgrams() + "-l" + scone.layers());
      TrainConfig settings = scone == null ? train : train.toBuilder().scone(scone).build();
      RoundEngine engine = new RoundEngine(ctx.spark(), policy, settings, model, seqLen, ctx.layout().sconeScalingRuns() + "/" + label,
          tables.vocabSizes(), tables.tokenBytes()).withFgrams(fgrams);
      RoundEngine.Outcome out = engine.run(BlockFiles.at(ctx.layout().blocks(), ctx.hadoop()), sources, false);
      List<RunLog.ValidationRow> last = out.log().validation().stream().filter(r -> r.round() == train.rounds()).toList();
      bpb = last.stream().mapToDouble(RunLog.ValidationRow::bitsPerByte).average().orElse(Double.NaN);
      loss = last.stream().mapToDouble(RunLog.ValidationRow::loss).average().orElse(Double.NaN);
    }
    long fgramsUsed = 0;
    long rows = 0;
    for (String t : tokenizers) {
      long used = scone == null ? 0 : scone.usable(fgrams.getOrDefault(t, List.of())).size();
      fgramsUsed += used;
      rows += used + tables.vocabSizes().get(t);
    }
    double vocab = tokenizers.stream().mapToInt(t -> tables.vocabSizes().get(t)).average().orElse(0);
    long flops = InferenceFlops.perToken(model, seqLen, vocab);
    return new SconeScaling.Point(knob, fgramsUsed / Math.max(1, tokenizers.size()), scone == null ? 0 : scone.layers(),
        SconeModels.fgramModelParams(scone, model), rows, rows * model.dModel() * 4L, flops, bpb, loss);
  }
}
