package dept.jobs.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dept.train.local.AdamW;
import dept.train.local.BlockBatches;
import dept.train.local.LocalTrainer;
import dept.train.local.OptimConfig;
import dept.train.model.ComputeMeter;
import dept.train.model.DecoderLm;
import dept.train.model.ModelConfig;
import dept.train.model.ModelParams;
import dept.train.params.NamedTensors;
import dept.train.random.Seeds;
import dept.train.rtd.RtdConfig;
import dept.train.rtd.RtdEvaluator;
import dept.train.rtd.RtdModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * ELECTRA pre-training with and without early exit (arXiv 2110.06620's setting: tokens leave while
 * training), on the same blocks, steps and seeds: detection accuracy and AUC on one fixed corrupted
 * validation set, wall time, the share of token-layers not run over training, and a linear probe
 * (MLlib logistic regression on frozen features) for each token's source, against a probe on the
 * input embeddings alone. Then the time itself: the discriminator's forward and backward per
 * training step at each exit threshold on the same corrupted batches, next to the multiply-adds the
 * meter counted, and the threshold with the largest saving whose AUC stays within 0.01 of no exit.
 */
public final class RtdBenchmark {

  /** A block and the index of the source it came from (the probe's label). */
  public record Labelled(int[] tokens, int source) {}

  /**
   * @param trainThreshold exit confidence while pre-training with exit
   * @param thresholds the thresholds the step timing compares (1.0 first: no exit)
   */
  public record Setup(ModelConfig model, int seqLen, int batch, int steps, List<Long> seeds, RtdConfig rtd, double trainThreshold,
      List<Double> thresholds, int timedBatches) {}

  /** One pre-training run. */
  record Run(long seed, boolean exit, double seconds, double skippedShare, RtdEvaluator.Row noExit, RtdEvaluator.Row asTrained,
      double probe) {}

  /**
   * One threshold of the step timing.
   *
   * @param macsFraction multiply-adds executed / those of no exit (the first timing)
   * @param tokenLayersRun token-layers that ran / every position x layer
   */
  public record Timing(double threshold, double msPerStep, long macs, double macsFraction, double tokenLayersRun, RtdEvaluator.Row scored) {

    /** Time per step relative to {@code noExit}'s: above 1 is faster. */
    public double speedUp(Timing noExit) {
      return noExit.msPerStep() / msPerStep;
    }

    /**
     * The fastest timing whose AUC is within {@code tolerance} of the first one's (no exit; AUC
     * above it counts as within), or the first one when no other qualifies.
     */
    public static Timing best(List<Timing> timings, double tolerance) {
      Timing off = timings.get(0);
      return timings.stream().filter(t -> t.scored().auc() >= off.scored().auc() - tolerance)
          .min(java.util.Comparator.comparingDouble(Timing::msPerStep)).orElse(off);
    }
  }

  private final SparkSession spark;
  private final Setup setup;

  public RtdBenchmark(SparkSession spark, Setup setup) {
    this.spark = spark;
    this.setup = setup;
  }

  public String run(List<int[]> train, List<Labelled> val, List<String> sourceNames, int vocab, BenchSummary summary) {
    List<int[]> valBlocks = val.stream().map(Labelled::tokens).toList();
    double[] unigram = RtdModel.unigramCdf(train, vocab);
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
        "rtd benchmark on %s, %d cores: d %d, %d layers, T %d, batch %d, %d steps, generator %s, %d train / %d validation blocks, "
            + "%d sources%n", LocalTrainer.device(), Runtime.getRuntime().availableProcessors(), setup.model().dModel(), setup.model().layers(),
        setup.seqLen(), setup.batch(), setup.steps(), setup.rtd().generator().key(), train.size(), val.size(), sourceNames.size()));
    List<Run> runs = new ArrayList<>();
    RtdModel withExit = null;
    LocalTrainer.Result exitTrained = null;
    for (long seed : setup.seeds()) {
      for (boolean exit : new boolean[] {false, true}) {
        RtdModel m = model(vocab, exit ? setup.trainThreshold() : 1.0);
        ComputeMeter meter = new ComputeMeter(setup.model().layers());
        long start = System.nanoTime();
        LocalTrainer.Result r = pretrain(m, train, unigram, seed, meter, vocab);
        double seconds = (System.nanoTime() - start) / 1e9;
        long ran = meter.tokenRows();
        double skipped = 1 - ran / (double) ((long) setup.steps() * setup.batch() * setup.seqLen() * setup.model().layers());
        List<Double> scoreAt = exit ? List.of(1.0, setup.trainThreshold()) : List.of(1.0);
        List<RtdEvaluator.Row> rows = new RtdEvaluator(m, 16).evaluate(r.body(), r.embeddings(), valBlocks, unigram, scoreAt, VALIDATION_SEED);
        double probe = probe(m, r, val, exit ? setup.trainThreshold() : 1.0, sourceNames.size(), false);
        runs.add(new Run(seed, exit, seconds, skipped, rows.get(0), rows.get(rows.size() - 1), probe));
        if (exit && withExit == null) {
          withExit = m;
          exitTrained = r;
        }
      }
    }
    double embeddingProbe = probe(withExit, exitTrained, val, 1.0, sourceNames.size(), true);
    out.append(pretrainingTable(runs, embeddingProbe));
    List<Timing> timings = timeSteps(withExit, exitTrained, train, valBlocks, unigram);
    out.append(timingTable(timings));
    Timing off = timings.get(0);
    Timing best = Timing.best(timings, 0.01);
    out.append(String.format(Locale.ROOT, "best threshold with AUC within 0.01 of no exit: %.3f, %.1f%% less discriminator time per step "
        + "(multiply-adds %.1f%% fewer)%n", best.threshold(), 100 * (1 - best.msPerStep() / off.msPerStep()), 100 * (1 - best.macsFraction())));
    summary.add("rtd", String.format(Locale.ROOT, "discriminator ms per step (forward + backward), exit at %.3f (AUC %.3f vs %.3f)",
        best.threshold(), best.scored().auc(), off.scored().auc()), best.msPerStep(), "no exit, same batches", off.msPerStep(), false);
    // No summary row for the pre-training wall time: it is one run per seed and mode on a shared
    // machine, and it also pays the compact layout's overhead on steps where nobody has left yet;
    // the step timing above, back to back on the same batches, is the measurement.
    return out.toString();
  }

  /** The fixed corrupted validation set: the same seed for every model. */
  static final long VALIDATION_SEED = 20211013L;

  private RtdModel model(int vocab, double trainThreshold) {
    RtdConfig c = setup.rtd();
    return new RtdModel(setup.model(), vocab, setup.seqLen(), new RtdConfig(c.generator(), c.maskProb(), c.generatorWidth(),
        c.generatorLayers(), c.lambda(), List.of(1.0), trainThreshold, List.of()));
  }

  private LocalTrainer.Result pretrain(RtdModel m, List<int[]> train, double[] unigram, long seed, ComputeMeter meter, int vocab) {
    DecoderLm lm = new DecoderLm(setup.model(), vocab, setup.seqLen());
    NamedTensors body = lm.initBody(Seeds.derive(seed, "body")).with(m.initHeads(Seeds.derive(seed, "heads")));
    NamedTensors inputs = lm.initEmbeddings(Seeds.derive(seed, "embeddings")).with(m.initGenerator(Seeds.derive(seed, "generator")));
    OptimConfig optim = new OptimConfig(2e-3, 2e-4, Math.max(1, setup.steps() / 20), 0.0, null, null, null, 1.0, setup.batch());
    return new LocalTrainer(lm, optim, setup.steps(), "rtd-bench", 0)
        .withObjective((batch, blocks, step, w, g) -> m.loss(batch, w, step, new Random(Seeds.derive(seed, "corrupt", g)), unigram, meter))
        .train(body, inputs, AdamW.State.fresh(body.with(inputs)), new BlockBatches(train, setup.batch(), Seeds.derive(seed, "batches")),
            setup.steps(), 0);
  }

  /**
   * Accuracy of a multinomial logistic regression (MLlib) predicting each real token's source from
   * frozen features, trained on the even validation blocks and scored on the odd ones: the top
   * layer's state as the model computes it at {@code threshold} (an exited token's frozen state),
   * or with {@code embeddingsOnly} the token and position embeddings the body starts from.
   */
  private double probe(RtdModel m, LocalTrainer.Result r, List<Labelled> val, double threshold, int classes, boolean embeddingsOnly) {
    List<Row> rows = new ArrayList<>();
    int layers = setup.model().layers();
    try (NDManager root = NDManager.newBaseManager(LocalTrainer.device());
        ModelParams p = new ModelParams(r.body().with(r.embeddings()), root, LocalTrainer.device(), false)) {
      for (int from = 0; from < val.size(); from += setup.batch()) {
        List<Labelled> part = val.subList(from, Math.min(val.size(), from + setup.batch()));
        int b = part.size();
        int t = setup.seqLen();
        long[] tokens = new long[b * t];
        for (int i = 0; i < b; i++) {
          for (int j = 0; j < t; j++) {
            tokens[i * t + j] = part.get(i).tokens()[j];
          }
        }
        try (NDManager step = p.manager().newSubManager()) {
          NDArray features = embeddingsOnly ? m.embed(tokens, b, t, p, step)
              : m.discriminate(tokens, b, t, p, step, threshold, new ComputeMeter(layers)).states()[layers - 1];
          float[] f = features.toFloatArray();
          int c = setup.model().dModel();
          for (int q = 0; q < b * t; q++) {
            if (tokens[q] == dept.prep.tokenizer.SpecialTokens.PAD_ID) {
              continue;
            }
            double[] v = new double[c];
            for (int k = 0; k < c; k++) {
              v[k] = f[q * c + k];
            }
            int block = from + q / t;
            rows.add(RowFactory.create(block % 2 == 0, (double) part.get(q / t).source(), Vectors.dense(v)));
          }
        }
      }
    }
    StructType schema = new StructType().add("fit", DataTypes.BooleanType).add("label", DataTypes.DoubleType).add("features", new VectorUDT());
    Dataset<Row> data = spark.createDataFrame(rows, schema);
    var model = new LogisticRegression().setMaxIter(50).setRegParam(1e-3).setFamily("multinomial").fit(data.where("fit"));
    return new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(model.transform(data.where("not fit")));
  }

  /**
   * The discriminator's forward and backward (detection loss, no generator, no optimiser step)
   * per step on the same pre-corrupted training batches at each threshold, after one untimed pass;
   * the multiply-adds the meter counted; and each threshold scored on the fixed validation set.
   */
  private List<Timing> timeSteps(RtdModel m, LocalTrainer.Result r, List<int[]> train, List<int[]> val, double[] unigram) {
    int layers = setup.model().layers();
    int b = setup.batch();
    int t = setup.seqLen();
    List<Timing> out = new ArrayList<>();
    List<RtdEvaluator.Row> scored = new RtdEvaluator(m, 16).evaluate(r.body(), r.embeddings(), val, unigram, setup.thresholds(), VALIDATION_SEED);
    try (NDManager root = NDManager.newBaseManager(LocalTrainer.device());
        ModelParams p = new ModelParams(r.body().with(r.embeddings()), root, LocalTrainer.device(), true)) {
      List<RtdModel.Corrupted> batches = new ArrayList<>();
      Random rnd = new Random(7);
      BlockBatches source = new BlockBatches(train, b, 7);
      try (NDManager corrupting = p.manager().newSubManager()) {
        for (int i = 0; i < setup.timedBatches(); i++) {
          int[][] blocks = Arrays.stream(source.next()).map(x -> Arrays.copyOf(x, t)).toArray(int[][]::new);
          RtdModel.Corrupted c = m.corrupt(blocks, p, corrupting, rnd, unigram);
          batches.add(new RtdModel.Corrupted(c.tokens(), c.replaced(), c.real(), null)); // host arrays only
        }
      }
      for (int i = 0; i < setup.thresholds().size(); i++) { // 1.0 first: the figures below are relative to it
        double threshold = setup.thresholds().get(i);
        ComputeMeter meter = new ComputeMeter(layers);
        long nanos = 0;
        for (int pass = 0; pass < 2; pass++) { // the first pass warms up, the second is timed
          ComputeMeter counted = pass == 1 ? meter : new ComputeMeter(layers);
          for (RtdModel.Corrupted c : batches) {
            long start = System.nanoTime();
            try (NDManager step = p.manager().newSubManager(); GradientCollector g = Engine.getInstance().newGradientCollector()) {
              RtdModel.Detection d = m.discriminate(c.tokens(), b, t, p, step, threshold, counted);
              g.backward(m.detectionLoss(c, d, step));
            }
            nanos += pass == 1 ? System.nanoTime() - start : 0;
          }
        }
        double noExitMacs = out.isEmpty() ? meter.macs() : out.get(0).macs();
        out.add(new Timing(threshold, nanos / 1e6 / batches.size(), meter.macs(), meter.macs() / noExitMacs, meter.tokenRows()
            / (double) ((long) batches.size() * b * t * layers), scored.get(i)));
      }
    }
    return out;
  }

  private String pretrainingTable(List<Run> runs, double embeddingProbe) {
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
        "%npre-training without and with exit at %.2f (same blocks, steps and seeds); scored on one fixed corrupted validation set "
            + "without exit and as trained; probe: each token's source from the frozen top-layer state (input embeddings alone: %.4f)%n",
        setup.trainThreshold(), embeddingProbe));
    String fmt = "%-6s %-6s %9s %13s %10s %10s %12s %12s %8s%n";
    b.append(String.format(Locale.ROOT, fmt, "seed", "exit", "wall s", "layers not run", "accuracy", "AUC", "acc. as trained", "AUC as trained",
        "probe"));
    for (Run r : runs) {
      b.append(String.format(Locale.ROOT, "%-6d %-6s %9.1f %12.1f%% %10.4f %10.3f %12.4f %12.3f %8.4f%n", r.seed(), r.exit() ? "on" : "off",
          r.seconds(), 100 * r.skippedShare(), r.noExit().accuracy(), r.noExit().auc(), r.asTrained().accuracy(), r.asTrained().auc(),
          r.probe()));
    }
    for (boolean exit : new boolean[] {false, true}) {
      List<Run> rs = runs.stream().filter(r -> r.exit() == exit).toList();
      b.append(String.format(Locale.ROOT, "%-6s %-6s %9s %12s  %10s %10s %12s %12s %8s%n", "mean", exit ? "on" : "off",
          meanSd(rs, Run::seconds, 1), meanSd(rs, r -> 100 * r.skippedShare(), 1), meanSd(rs, r -> r.noExit().accuracy(), 4),
          meanSd(rs, r -> r.noExit().auc(), 3), meanSd(rs, r -> r.asTrained().accuracy(), 4), meanSd(rs, r -> r.asTrained().auc(), 3),
          meanSd(rs, Run::probe, 4)));
    }
    return b.toString();
  }

  private static String meanSd(List<Run> runs, java.util.function.ToDoubleFunction<Run> f, int digits) {
    double[] v = runs.stream().mapToDouble(f).toArray();
    double mean = Arrays.stream(v).average().orElse(Double.NaN);
    double sd = Math.sqrt(Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / Math.max(1, v.length - 1));
    return String.format(Locale.ROOT, "%." + digits + "f±%." + digits + "f", mean, sd);
  }

  String timingTable(List<Timing> timings) {
    Timing off = timings.get(0);
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
        "%ndiscriminator forward + backward per training step, the exit-trained model of seed %d, %d pre-corrupted batches (timed after "
            + "one untimed pass); validation figures on the fixed corrupted set%n", setup.seeds().get(0), setup.timedBatches()));
    String fmt = "%-10s %10s %9s %15s %14s %10s %10s%n";
    b.append(String.format(Locale.ROOT, fmt, "threshold", "ms/step", "speed-up", "token-layers run", "multiply-adds", "accuracy", "AUC"));
    for (Timing t : timings) {
      b.append(String.format(Locale.ROOT, "%-10.3f %10.1f %8.2fx %14.1f%% %13.1f%% %10.4f %10.3f%n", t.threshold(), t.msPerStep(),
          t.speedUp(off), 100 * t.tokenLayersRun(), 100 * t.macsFraction(), t.scored().accuracy(), t.scored().auc()));
    }
    return b.toString();
  }
}
