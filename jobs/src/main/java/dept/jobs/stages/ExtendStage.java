package dept.jobs.stages;

import static org.apache.spark.sql.functions.col;

import dept.eval.Extension;
import dept.eval.ExtensionFrontier;
import dept.jobs.config.ConfigException;
import dept.jobs.run.Stage;
import dept.jobs.run.StageContext;
import dept.prep.io.AtomicOutput;
import dept.prep.pack.TokenArrays;
import dept.prep.tokenizer.VocabConfig;
import dept.train.rounds.TrainedModel;
import dept.train.extend.ExtendConfig;
import dept.train.extend.ExtensionData;
import dept.train.extend.ExtensionJob;
import dept.train.extend.ExtensionTask;
import dept.train.extend.ExtensionTrial;
import dept.train.scoring.ScoringBlocks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.StructType;

/**
 * {@code dept extend}: grows a trained variant to a source it never saw with neutral-residue
 * adapters, next to the baselines (plain adapters, LoRA, full fine-tuning) in the same run, and
 * writes {@code extend/<base>-<new>/{results,gates,params}}: each method's new-source bits per byte,
 * every original source's change (the forgetting), and the gates on old vs new data; with
 * {@code extend.sweep}, every trial's in {@code sweep/{results,gates}}.
 */
public final class ExtendStage implements Stage {

  private final String baseRun;
  private final String newSource;
  private final boolean explicit;

  /**
   * @param baseRun the variant to extend instead of {@code extend.base_variant} (null: the config's)
   * @param newSource the source to add instead of {@code extend.new_source} (null: the config's)
   * @param explicit run as a command: a missing base is an error (in the pipeline it is skipped)
   */
  public ExtendStage(String baseRun, String newSource, boolean explicit) {
    this.baseRun = baseRun;
    this.newSource = newSource;
    this.explicit = explicit;
  }

  @Override
  public String name() {
    return "extend";
  }

  @Override
  public void run(StageContext ctx) {
    ExtendConfig cfg = ctx.config().extend().with(baseRun, newSource);
    if (cfg.newSource() == null) {
      skip("no extend.new_source (or --new-source) configured");
      return;
    }
    String base = cfg.baseVariant();
    if (!explicit && !AtomicOutput.isComplete(ctx.layout().trainModel(base), ctx.hadoop())) {
      skip("the base variant " + base + " was not trained in this run (train.variants " + ctx.config().train().variants() + ")");
      return;
    }
    ctx.requireComplete(ctx.layout().trainModel(base), "train");
    ctx.requireComplete(ctx.layout().blocks(), "tokenize");
    TrainedModel model = TrainedModel.load(ctx.layout().trainModel(base), ctx.hadoop());
    if (model.scone() != null) {
      throw new ConfigException("dept extend: " + base + " has SCONE inputs; extending a +SCONE model is not supported yet");
    }
    if (!model.tablesNamedByTokenizer()) {
      throw new ConfigException("dept extend: " + base + "'s per-source tables read the global tokenizer; extending such a "
          + "model is not supported yet (extend SPEC, GLOB, TRIM or STD)");
    }
    Dataset<Row> blocks = ctx.spark().read().parquet(ctx.layout().blocks());
    List<String> present = new ArrayList<>();
    blocks.select("source").distinct().orderBy("source").collectAsList().forEach(r -> present.add(r.getString(0)));
    if (!present.contains(cfg.newSource())) {
      if (!explicit) {
        skip("extend.new_source " + cfg.newSource() + " has no blocks (not among this run's sources)");
        return;
      }
      throw new ConfigException("--new-source " + cfg.newSource() + " has no blocks: add it to ingest.sources and run "
          + "ingest, vocab and tokenize (it is kept out of `dept train` as extend.new_source)");
    }
    List<String> originals = new ArrayList<>();
    ctx.spark().read().parquet(ctx.layout().trainValidation(base)).select("source").distinct().orderBy("source").collectAsList()
        .forEach(r -> originals.add(r.getString(0)));
    if (originals.contains(cfg.newSource())) {
      throw new ConfigException("dept extend: " + base + " was trained on " + cfg.newSource()
          + "; set extend.new_source before `dept train` so the source is kept out of training");
    }
    String newTokenizer = cfg.ownTokenizer() ? cfg.newSource() : VocabConfig.GLOBAL;
    if (!cfg.ownTokenizer() && !model.embeddings().containsKey(VocabConfig.GLOBAL)) {
      throw new ConfigException("extend.tokenizer: global needs a base with the global tokenizer (STD, GLOB, TRIM), not " + base);
    }
    Map<String, String> originalTokenizers = new TreeMap<>();
    originals.forEach(s -> originalTokenizers.put(s, model.tableOf(s))); // tables named by their tokenizers (checked above)
    Map<String, List<int[]>> train = new TreeMap<>();
    Map<String, String> tokenizerOfSource = new TreeMap<>(originalTokenizers);
    tokenizerOfSource.put(cfg.newSource(), newTokenizer);
    int batch = cfg.batchSize() != null ? cfg.batchSize() : ctx.config().train().optim().batchSize();
    // No method reads more than steps x batch blocks of one source: collect no more than that to the driver
    // (the new source a ninth more: without a validation split its last tenth is held out below).
    int trainCap = cfg.steps() * batch;
    tokenizerOfSource.forEach((s, tok) -> {
      Dataset<Row> mine = blocks.where(col("source").equalTo(s).and(col("tokenizer").equalTo(tok)).and(col("split").equalTo("train")));
      train.put(s, tokens(mine.orderBy("block_id").limit(trainCap + (s.equals(cfg.newSource()) ? trainCap / 9 : 0))));
    });
    // Validation blocks stay in Spark: the scoring job reads them on executors.
    Dataset<Row> val = ScoringBlocks.bySource(blocks, "val", tokenizerOfSource);
    long newVal = val.where(col("unit").equalTo(cfg.newSource())).count();
    if (newVal == 0) {
      // A small new source may have no validation documents: hold out the last tenth of its train blocks instead.
      List<int[]> own = train.get(cfg.newSource());
      int held = Math.max(1, own.size() / 10);
      if (own.size() < 2) {
        throw new IllegalArgumentException("the new source " + cfg.newSource() + " has " + own.size() + " train blocks and no validation "
            + "blocks: too little data to extend to");
      }
      val = val.unionByName(ScoringBlocks.of(ctx.spark(), Map.of(cfg.newSource(), new ArrayList<>(own.subList(own.size() - held, own.size())))));
      train.put(cfg.newSource(), new ArrayList<>(own.subList(0, own.size() - held)));
      newVal = held;
      System.out.printf("extend: %s has no validation split; its last %d of %d train blocks are held out for evaluation%n",
          cfg.newSource(), held, own.size());
    }
    List<String> tokenizers = new ArrayList<>(new java.util.TreeSet<>(originalTokenizers.values()));
    if (!tokenizers.contains(newTokenizer)) {
      tokenizers.add(newTokenizer);
    }
    TokenizerTables tables = TokenizerTables.load(ctx, tokenizers);
    ExtensionData data = new ExtensionData(cfg.newSource(), newTokenizer, originalTokenizers, train, tables.vocabSizes(),
        tables.tokenBytes());
    System.out.printf("extend %s with %s (%s tokenizer; %d train / %d val blocks), %d original sources; methods %s, %d steps, "
            + "%.0f%% original batches, alpha %s, %s gate%n", base, cfg.newSource(), newTokenizer, train.get(cfg.newSource()).size(),
        cfg.evalBlocks() > 0 ? Math.min(newVal, cfg.evalBlocks()) : newVal, originals.size(), cfg.methods(), cfg.steps(), 100 * cfg.originalFraction(), cfg.alpha(), cfg.gate());
    List<ExtensionTask.Result> results = new ExtensionJob(ctx.spark()).run(model, data, val, cfg, batch,
        ctx.layout().extensionParamsDir(base, cfg.newSource()));
    write(ctx, cfg, results);
    List<ExtensionTask.Result> main = results.stream().filter(r -> r.trial().main()).toList();
    System.out.print(Extension.markdown(base, cfg.newSource(), Extension.summarize(rowsOf(main), gatesOf(main))));
    if (!cfg.sweep().isEmpty()) {
      System.out.print(ExtensionFrontier.markdown(cfg.newSource(), ExtensionFrontier.points(resultRows(results, true),
          gateRows(results, true)), setting(cfg)));
    }
    System.out.printf("extension results: %s%n", ctx.layout().extension(base, cfg.newSource()));
  }

  private static List<Extension.ResultRow> rowsOf(List<ExtensionTask.Result> results) {
    List<Extension.ResultRow> out = new ArrayList<>();
    results.forEach(r -> r.scores().forEach(s -> out.add(new Extension.ResultRow(r.label(), s.source(), s.isNew(), s.before(), s.after(),
        r.trainableParams(), r.addedParams()))));
    return out;
  }

  private static List<Extension.GateRow> gatesOf(List<ExtensionTask.Result> results) {
    List<Extension.GateRow> out = new ArrayList<>();
    results.forEach(r -> r.gates().forEach(g -> out.add(new Extension.GateRow(r.label(), g.domain(), g.layer(), g.meanGate(),
        g.activeFraction(), g.meanAbsOutput()))));
    return out;
  }

  private static List<int[]> tokens(Dataset<Row> rows) {
    List<int[]> out = new ArrayList<>();
    rows.select("tokens").collectAsList().forEach(r -> out.add(TokenArrays.ints(r.getList(0))));
    return out;
  }

  /** Main trials to {@code results} and {@code gates}; with a sweep, every trial to {@code sweep/{results,gates}} too. */
  private static void write(StageContext ctx, ExtendConfig cfg, List<ExtensionTask.Result> results) {
    String base = cfg.baseVariant();
    List<ExtensionTask.Result> main = results.stream().filter(r -> r.trial().main()).toList();
    AtomicOutput.writeParquet(ctx.spark().createDataFrame(resultRows(main, false), Extension.RESULTS).coalesce(1),
        ctx.layout().extensionResults(base, cfg.newSource()), ctx.hadoop());
    AtomicOutput.writeParquet(ctx.spark().createDataFrame(gateRows(main, false), Extension.GATES).coalesce(1),
        ctx.layout().extensionGates(base, cfg.newSource()), ctx.hadoop());
    if (!cfg.sweep().isEmpty()) {
      AtomicOutput.writeParquet(ctx.spark().createDataFrame(resultRows(results, true), ExtensionFrontier.RESULTS).coalesce(1),
          ctx.layout().extensionSweepResults(base, cfg.newSource()), ctx.hadoop());
      AtomicOutput.writeParquet(ctx.spark().createDataFrame(gateRows(results, true), ExtensionFrontier.GATES).coalesce(1),
          ctx.layout().extensionSweepGates(base, cfg.newSource()), ctx.hadoop());
    }
  }

  /** Per trial and source ({@link Extension#RESULTS}; led by the trial's columns for the sweep table). */
  private static List<Row> resultRows(List<ExtensionTask.Result> results, boolean sweep) {
    List<Row> rows = new ArrayList<>();
    for (ExtensionTask.Result r : results) {
      for (ExtensionTask.Score s : r.scores()) {
        rows.add(withTrial(r.trial(), sweep ? ExtensionFrontier.RESULTS : Extension.RESULTS, r.trial().method().label(), s.source(), s.isNew() ? "new" : "original", s.before(), s.after(),
            s.after() - s.before(), r.trainableParams(), r.addedParams(), r.wallMillis() / 1000.0));
      }
    }
    return rows;
  }

  /** Per trial, domain and layer ({@link Extension#GATES}; led by the trial's columns for the sweep table). */
  private static List<Row> gateRows(List<ExtensionTask.Result> results, boolean sweep) {
    List<Row> rows = new ArrayList<>();
    for (ExtensionTask.Result r : results) {
      for (ExtensionTask.GateStats g : r.gates()) {
        rows.add(withTrial(r.trial(), sweep ? ExtensionFrontier.GATES : Extension.GATES, r.trial().method().label(), g.domain(), g.layer(), g.meanGate(), g.activeFraction(),
            g.meanAbsOutput()));
      }
    }
    return rows;
  }

  /** The config's own lr, alpha and data mix: where the sweep's tables are sliced. */
  public static ExtensionFrontier.Setting setting(ExtendConfig cfg) {
    return new ExtensionFrontier.Setting(cfg.lr(), cfg.alpha(), cfg.originalFraction());
  }

  /** A row of {@code schema}: the sweep's tables lead with the trial's columns, the main ones do not. */
  private static Row withTrial(ExtensionTrial t, StructType schema, Object... values) {
    List<Object> all = new ArrayList<>();
    if (schema.length() > values.length) {
      all.addAll(List.of(t.label(), t.lr(), t.alpha(), t.originalFraction()));
    }
    all.addAll(java.util.Arrays.asList(values));
    return new GenericRowWithSchema(all.toArray(), schema);
  }

  private static void skip(String why) {
    System.out.println("extend: skipped: " + why);
  }
}
