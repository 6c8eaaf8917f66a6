package dept.jobs.study;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;

import dept.eval.Comparison;
import dept.eval.Extension;
import dept.eval.ExtensionFrontier;
import dept.eval.AveragingCost;
import dept.eval.LearningCurves;
import dept.eval.LrRobustness;
import dept.eval.Study;
import dept.eval.SconeStudy;
import dept.eval.StudyReport;
import dept.eval.UnigramBaseline;
import dept.eval.VariantSummary;
import dept.jobs.run.StageContext;
import dept.jobs.stages.ExtendStage;
import dept.jobs.stages.TokenizerTables;
import dept.prep.io.AtomicOutput;
import dept.prep.tokenizer.VocabConfig;
import dept.train.model.InferenceFlops;
import dept.train.rounds.Variant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads every arm's outputs back (validation, metrics, extension results), scores the unigram
 * baselines once per source and tokenizer, and writes {@code study/results/{arms,sources,extension}}
 * (with {@code extend.sweep}, {@code extension_sweep} and {@code extension_sweep_gates}: every trial per seed)
 * and {@code study/report/}.
 */
final class StudyResults {

  /** One trained arm: its seed and the context whose layout holds its run. */
  record Arm(long seed, StudyArm arm, StageContext run) {}

  static final StructType ARMS = new StructType()
      .add("seed", DataTypes.LongType, false)
      .add("arm", DataTypes.StringType, false)
      .add("variant", DataTypes.StringType, false)
      .add("temperature", DataTypes.DoubleType, false)
      .add("bits_per_byte_mean", DataTypes.DoubleType, false)
      .add("log_unigram_normalized_perplexity", DataTypes.DoubleType, false)
      .add("tokens", DataTypes.LongType, false)
      .add("embedding_params", DataTypes.LongType, false)
      .add("embedding_params_per_source", DataTypes.LongType, false)
      .add("bytes_up", DataTypes.LongType, false)
      .add("bytes_down", DataTypes.LongType, false)
      .add("train_seconds", DataTypes.DoubleType, false)
      .add("knob", DataTypes.StringType, false)
      .add("inference_flops_per_token", DataTypes.LongType, false)
      .add("fgrams_per_table", DataTypes.LongType, false)
      .add("fgram_layers", DataTypes.IntegerType, false)
      .add("bits_per_byte_lookup", DataTypes.DoubleType, false)
      .add("table_bytes_per_source", DataTypes.LongType, false);

  static final StructType SOURCES = new StructType()
      .add("seed", DataTypes.LongType, false)
      .add("arm", DataTypes.StringType, false)
      .add("source", DataTypes.StringType, false)
      .add("loss", DataTypes.DoubleType, false)
      .add("unigram_loss", DataTypes.DoubleType, false)
      .add("bits_per_byte", DataTypes.DoubleType, false)
      .add("unigram_normalized_perplexity", DataTypes.DoubleType, false);

  static final StructType EXTENSION = new StructType()
      .add("seed", DataTypes.LongType, false)
      .add("method", DataTypes.StringType, false)
      .add("new_before", DataTypes.DoubleType, false)
      .add("new_after", DataTypes.DoubleType, false)
      .add("forgetting_mean", DataTypes.DoubleType, false)
      .add("forgetting_max", DataTypes.DoubleType, false);

  private final StageContext ctx;

  StudyResults(StageContext ctx) {
    this.ctx = ctx;
  }

  /**
   * @param extensionBase the variant each seed extended (null: no extension)
   * @param sources the training sources
   */
  void write(List<Arm> arms, String extensionBase, String newSource, List<String> sources, double wallSeconds) {
    Dataset<Row> blocks = ctx.spark().read().parquet(ctx.layout().blocks());
    Map<String, Double> unigram = new TreeMap<>();
    List<Study.ArmRun> runs = new ArrayList<>();
    List<Study.SourceScore> scores = new ArrayList<>();
    List<Study.ExtensionRun> extension = new ArrayList<>();
    Dataset<Row> sweepResults = null;
    Dataset<Row> sweepGates = null;
    ScoredBytes scoredBytes = new ScoredBytes();
    List<LearningCurves.Point> curves = new ArrayList<>();
    List<LrRobustness.Run> lrRuns = new ArrayList<>();
    List<AveragingCost.Point> averaging = new ArrayList<>();
    java.util.Set<String> swept = new java.util.TreeSet<>(ctx.config().study().lrSweep().arms());
    double configLr = ctx.config().train().optim().lr();
    for (Arm a : arms) {
      String variant = a.arm().variant().name();
      boolean global = a.arm().variant().globalVocabulary();
      StageContext run = a.run();
      Comparison.VariantRun files = new Comparison.VariantRun(variant, run.layout().trainModel(variant), run.layout().trainMetrics(variant),
          run.layout().trainValidation(variant), run.layout().trainTimings(variant));
      VariantSummary summary = new Comparison(ctx.spark(), ctx.hadoop()).summarize(List.of(files)).get(0);
      Dataset<Row> validation = ctx.spark().read().parquet(files.validation());
      int last = validation.agg(max("round")).first().getInt(0);
      double logPpl = 0;
      List<Row> rows = validation.where(col("round").equalTo(last)).orderBy("source").select("source", "loss", "bits_per_byte", "bytes").collectAsList();
      for (Row r : rows) {
        String source = r.getString(0);
        String tokenizer = global ? VocabConfig.GLOBAL : source;
        double uni = unigram.computeIfAbsent(source + "/" + tokenizer, k -> {
          TokenizerTables tables = TokenizerTables.load(ctx, List.of(tokenizer));
          return UnigramBaseline.loss(blocks, source, tokenizer, tables.vocabSizes().get(tokenizer), ctx.config().train().validationSample(),
              tables.tokenBytes().get(tokenizer));
        });
        scores.add(new Study.SourceScore(a.seed(), a.arm().name(), source, r.getDouble(1), uni, r.getDouble(2)));
        logPpl += r.getDouble(1) - uni;
        if (!a.arm().variant().rtd()) {
          scoredBytes.add(a.arm().name(), a.seed(), source, r.getLong(3));
        }
      }
      Dataset<Row> metrics = ctx.spark().read().parquet(files.metrics());
      Row tokens = metrics.where(col("excluded").equalTo(false)).agg(sum("tokens")).first();
      long trainedTokens = tokens.isNullAt(0) ? 0 : tokens.getLong(0);
      if (swept.contains(a.arm().sweptArm())) {
        long excluded = metrics.where(col("excluded").equalTo(true)).count();
        double lr = a.arm().knob().equals(StudyArm.LR) ? a.arm().learningRate() : configLr;
        lrRuns.add(new LrRobustness.Run(a.seed(), a.arm().sweptArm(), lr, summary.bitsPerByteUniform(), excluded));
      }
      if (!a.arm().variant().rtd() && !a.arm().knob().equals(StudyArm.LR)) {
        curves.addAll(curve(a, validation, trainedTokens / Math.max(1, run.config().train().rounds())));
        averaging.addAll(averagingCost(a, metrics, validation));
      }
      LookupScores lookup = LookupScores.of(run, a.arm());
      runs.add(new Study.ArmRun(a.seed(), a.arm().name(), variant, a.arm().temperatureOrNaN(), summary.bitsPerByteUniform(),
          logPpl / Math.max(1, rows.size()), tokens.isNullAt(0) ? 0 : tokens.getLong(0), summary.embeddingParams(),
          summary.embeddingParamsPerSource(), summary.bytesUpTotal(), summary.bytesDownTotal(), summary.trainSeconds(), a.arm().knob(),
          inferenceFlops(run, a.arm().variant(), rows.stream().map(r -> r.getString(0)).toList()), lookup.fgramsPerTable(),
          a.arm().variant().scone() ? run.config().train().scone().layers() : 0, lookup.bitsPerByte(), lookup.tableBytesPerSource()));
      if (extensionBase != null && StudyStage.extensionBase(a.arm(), extensionBase)) {
        List<Extension.ResultRow> results = Extension.resultsFrom(
            ctx.spark().read().parquet(run.layout().extensionResults(extensionBase, newSource)).collectAsList());
        Extension.summarize(results, List.of()).forEach(s -> extension.add(new Study.ExtensionRun(a.seed(), s.method(), s.newBefore(),
            s.newAfter(), s.forgettingMean(), s.forgettingMax())));
        String sr = run.layout().extensionSweepResults(extensionBase, newSource);
        String sg = run.layout().extensionSweepGates(extensionBase, newSource);
        if (AtomicOutput.isComplete(sr, ctx.hadoop()) && AtomicOutput.isComplete(sg, ctx.hadoop())) {
          Dataset<Row> r = ctx.spark().read().parquet(sr).withColumn("seed", lit(a.seed()));
          Dataset<Row> g = ctx.spark().read().parquet(sg).withColumn("seed", lit(a.seed()));
          sweepResults = sweepResults == null ? r : sweepResults.unionByName(r);
          sweepGates = sweepGates == null ? g : sweepGates.unionByName(g);
        }
      }
    }
    System.out.println("study: validation bytes scored per source: " + scoredBytes.markdown());
    if (ctx.config().train().validationSample().wholeDocuments()) {
      scoredBytes.requireEqual();
    }
    writeTables(runs, scores, extension);
    List<ExtensionFrontier.Point> sweep = List.of();
    if (sweepResults != null) {
      // One row per seed, trial and source: small, whatever the corpus.
      AtomicOutput.writeParquet(sweepResults.coalesce(1), ctx.layout().studyResults("extension_sweep"), ctx.hadoop());
      AtomicOutput.writeParquet(sweepGates.coalesce(1), ctx.layout().studyResults("extension_sweep_gates"), ctx.hadoop());
      sweep = ExtensionFrontier.points(ctx.spark().read().parquet(ctx.layout().studyResults("extension_sweep")).collectAsList(),
          ctx.spark().read().parquet(ctx.layout().studyResults("extension_sweep_gates")).collectAsList());
    }
    List<String> armNames = new ArrayList<>(Study.byArm(runs).keySet());
    StudyReport.Contents contents = new StudyReport.Contents("dept-spark study `" + ctx.config().run().name() + "`",
        StudySetup.markdown(ctx, sources, newSource, runs, wallSeconds, scoredBytes), runs, scores, reference(armNames), differences(armNames, runs),
        extensionBase, newSource, extension, sweep, ExtendStage.setting(ctx.config().extend()), sconeArms(arms), curves,
        curveReference(armNames), lrRuns, configLr, averaging);
    StudyReport.write(ctx.layout().studyReport(), contents, ctx.hadoop());
    System.out.print(StudyReport.markdown(contents));
    System.out.printf("study results: %s; report: %s/report.md%n", ctx.layout().studyResults("*"), ctx.layout().studyReport());
  }

  /** The arm's main model's forward FLOPs per token, its output head as wide as its sources' vocabularies on average. */
  private static long inferenceFlops(StageContext run, Variant variant, List<String> sources) {
    List<String> tokenizers = variant.globalVocabulary() ? List.of(VocabConfig.GLOBAL) : sources;
    Map<String, Integer> sizes = TokenizerTables.load(run, tokenizers).vocabSizes();
    double vocab = tokenizers.stream().mapToInt(sizes::get).average().orElse(0);
    return InferenceFlops.perToken(run.config().model(), run.config().tokenize().seqLen(), vocab);
  }

  /** The first {@code +SCONE} variant's arm, its plain variant's and the larger plain model's (null: no {@code +SCONE} arm). */
  private static SconeStudy.Arms sconeArms(List<Arm> arms) {
    StudyArm scone = arms.stream().map(Arm::arm).filter(a -> a.variant().scone() && a.knob().equals(StudyArm.MAIN)).findFirst().orElse(null);
    if (scone == null) {
      return null;
    }
    List<String> larger = arms.stream().map(Arm::arm).filter(a -> a.knob().equals(StudyArm.LARGER)).map(StudyArm::name).distinct().toList();
    return new SconeStudy.Arms(scone.variant().withoutScone().directory(), scone.name(), larger);
  }

  /** One point per evaluated round: means over the sources (a few rows per arm, whatever the corpus). */
  private static List<LearningCurves.Point> curve(Arm a, Dataset<Row> validation, long tokensPerRound) {
    List<LearningCurves.Point> points = new ArrayList<>();
    if (!java.util.Arrays.asList(validation.columns()).contains("bits_per_byte_all_rows")) { // written before the column existed
      validation = validation.withColumn("bits_per_byte_all_rows", col("bits_per_byte")).withColumn("targets_outside_rows", lit(0L));
    }
    for (Row r : validation.groupBy("round").agg(org.apache.spark.sql.functions.avg("bits_per_byte"),
        org.apache.spark.sql.functions.avg("bits_per_byte_all_rows"), sum("targets_outside_rows"), sum("tokens")).orderBy("round").collectAsList()) {
      int round = r.getInt(0);
      points.add(new LearningCurves.Point(a.seed(), a.arm().name(), round, round * tokensPerRound, r.getDouble(1), r.getDouble(2),
          r.getLong(3), r.getLong(4)));
    }
    return points;
  }

  /**
   * Each source's local (before aggregation) and aggregated bits per byte at every round its
   * tasks scored their own models (a few rows per arm); none for runs without {@code train.local_validation}.
   */
  private static List<AveragingCost.Point> averagingCost(Arm a, Dataset<Row> metrics, Dataset<Row> validation) {
    if (!java.util.Arrays.asList(metrics.columns()).contains("local_val_bits_per_byte")) {
      return List.of();
    }
    Dataset<Row> local = metrics.where(col("excluded").equalTo(false).and(functions.not(functions.isnan(col("local_val_bits_per_byte")))))
        .groupBy("round", "source").agg(functions.avg("local_val_bits_per_byte").as("local"));
    List<AveragingCost.Point> points = new ArrayList<>();
    for (Row r : local.join(validation.select("round", "source", "bits_per_byte"),
        scala.jdk.javaapi.CollectionConverters.asScala(List.of("round", "source")).toSeq())
        .select("round", "source", "local", "bits_per_byte").orderBy("round", "source").collectAsList()) {
      points.add(new AveragingCost.Point(a.seed(), a.arm().name(), r.getInt(0), r.getString(1), r.getDouble(2), r.getDouble(3)));
    }
    return points;
  }

  /** The step-matched STD baseline the learning curves' gaps are measured to (the first arm if there is none). */
  private static String curveReference(List<String> arms) {
    return arms.stream().filter(a -> a.startsWith("std-dp-")).findFirst().orElse(arms.get(0));
  }

  private static String reference(List<String> arms) {
    return arms.contains("glob") ? "glob" : arms.get(0);
  }

  /**
   * The comparisons the papers make: SPEC against every STD baseline, GLOB and TRIM; GLOB and TRIM
   * against step-matched STD; TRIM against GLOB; the IID control against step-matched STD (what
   * averaging costs without heterogeneity) and GLOB against the IID control (what heterogeneity
   * adds); SPEC on the global tokenizer against SPEC (what a source's own vocabulary adds) and
   * against GLOB (what keeping the embeddings private adds, tokenizer fixed); SCONE against its base.
   */
  private static List<Study.Difference> differences(List<String> arms, List<Study.ArmRun> runs) {
    List<String[]> pairs = new ArrayList<>();
    List<String> main = arms.stream().filter(a -> !a.contains("-lr")).toList();
    String dp = main.stream().filter(a -> a.startsWith("std-dp-")).findFirst().orElse(null);
    String iid = main.stream().filter(a -> a.startsWith("std-iid-")).findFirst().orElse(null);
    for (String a : main) {
      if (a.startsWith("std-") || a.equals("glob") || a.equals("trim")) {
        pairs.add(new String[] {"spec", a});
      }
    }
    pairs.add(new String[] {"glob", dp});
    pairs.add(new String[] {"trim", dp});
    pairs.add(new String[] {"trim", "glob"});
    pairs.add(new String[] {iid, dp});
    pairs.add(new String[] {"glob", iid});
    pairs.add(new String[] {"spec-globalvocab", dp});
    pairs.add(new String[] {"spec", "spec-globalvocab"});
    pairs.add(new String[] {"spec-globalvocab", "glob"});
    for (String a : main) {
      if (a.endsWith("-scone")) {
        pairs.add(new String[] {a, a.substring(0, a.length() - "-scone".length())});
      }
    }
    List<Study.Difference> out = new ArrayList<>();
    for (String[] p : pairs) {
      if (arms.contains(p[0]) && arms.contains(p[1])) {
        out.add(Study.difference(runs, p[0], p[1]));
      }
    }
    return out;
  }

  private void writeTables(List<Study.ArmRun> runs, List<Study.SourceScore> scores, List<Study.ExtensionRun> extension) {
    List<Row> arms = runs.stream().map(r -> RowFactory.create(r.seed(), r.arm(), r.variant(), r.temperature(), r.bitsPerByte(), r.logPplU(),
        r.tokens(), r.embeddingParams(), r.embeddingParamsPerSource(), r.bytesUp(), r.bytesDown(), r.trainSeconds(), r.knob(),
        r.inferenceFlops(), r.fgramsPerTable(), r.fgramLayers(), r.bitsPerByteLookup(), r.tableBytesPerSource())).toList();
    List<Row> sources = scores.stream().map(s -> RowFactory.create(s.seed(), s.arm(), s.source(), s.loss(), s.unigramLoss(), s.bitsPerByte(),
        s.unigramNormalizedPerplexity())).toList();
    List<Row> ext = extension.stream().map(e -> RowFactory.create(e.seed(), e.method(), e.newBefore(), e.newAfter(), e.forgettingMean(),
        e.forgettingMax())).toList();
    AtomicOutput.writeParquet(ctx.spark().createDataFrame(arms, ARMS).coalesce(1), ctx.layout().studyResults("arms"), ctx.hadoop());
    AtomicOutput.writeParquet(ctx.spark().createDataFrame(sources, SOURCES).coalesce(1), ctx.layout().studyResults("sources"), ctx.hadoop());
    AtomicOutput.writeParquet(ctx.spark().createDataFrame(ext, EXTENSION).coalesce(1), ctx.layout().studyResults("extension"), ctx.hadoop());
  }
}
