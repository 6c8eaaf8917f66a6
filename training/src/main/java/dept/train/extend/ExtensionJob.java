package dept.train.extend;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;

import dept.prep.io.HadoopConfig;
import dept.train.rounds.TrainedModel;
import dept.train.scoring.BroadcastModel;
import dept.train.scoring.ScoringJob;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code dept extend} on Spark: the base model and the training sample are broadcast once; each
 * trial (a method, neutral residues or a baseline, at a learning rate, alpha and data mix:
 * {@link ExtendConfig#trials()}) trains as one task on an executor (on its GPU when
 * it has one) and saves what it trained; then one {@link ScoringJob} scores the base and every
 * extended model on every source's validation blocks in executor tasks. The driver receives one
 * small row per model and source.
 */
public final class ExtensionJob {

  /** Blocks per scoring batch (the gate statistics are means over these batches). */
  static final int SCORING_BATCH = 16;

  private final SparkSession spark;

  public ExtensionJob(SparkSession spark) {
    this.spark = spark;
  }

  /**
   * @param val validation blocks as {@link dept.train.scoring.ScoringBlocks} rows, one unit per source (the new one and the originals)
   * @param paramsDir where each method saves {@code <method>.bin} ({@link TrainedExtension})
   */
  public List<ExtensionTask.Result> run(TrainedModel base, ExtensionData data, Dataset<Row> val, ExtendConfig config, int batchSize,
      String paramsDir) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    HadoopConfig hadoop = new HadoopConfig(spark.sparkContext().hadoopConfiguration());
    BroadcastModel model = BroadcastModel.of(spark, base.model(), base.seqLen(), base.body(), base.embeddings());
    Broadcast<ExtensionData> shared = jsc.broadcast(data);
    List<ExtensionTrial> trials = config.trials();
    List<ExtensionTask> tasks = new ArrayList<>();
    trials.forEach(t -> tasks.add(ExtensionTask.of(t, config, base.model(), base.seqLen(), batchSize)));
    Map<String, ExtensionTrial> byLabel = new java.util.TreeMap<>();
    trials.forEach(t -> byLabel.put(t.label(), t));
    try {
      jsc.setJobGroup("dept-extend", "dept extend " + data.newSource() + ": " + trials.size() + " trials of " + config.methods(), true);
      List<ExtensionTask.Trained> trained = jsc.parallelize(tasks, tasks.size())
          .map(t -> t.train(model.body(), model.embeddings(), shared.value(), ExtensionScorer.paramsFile(paramsDir, t.trial().label()),
              hadoop))
          .collect();
      Dataset<Row> units = null;
      List<String> models = new ArrayList<>(List.of(ExtensionScorer.BEFORE));
      trials.forEach(t -> models.add(t.label()));
      for (String m : models) {
        Dataset<Row> mine = val.withColumn("unit", concat(lit(m + "/"), col("unit")));
        units = units == null ? mine : units.unionByName(mine);
      }
      SortedMap<String, ExtensionScorer.Sums> scores = new ScoringJob(SCORING_BATCH).run(units, config.evalBlocks(),
          new ExtensionScorer(model, shared, config, byLabel, paramsDir, hadoop));
      List<ExtensionTask.Result> results = new ArrayList<>();
      trained.forEach(t -> results.add(result(byLabel.get(t.label()), t, data, scores, base.model().layers())));
      results.sort(Comparator.comparingInt(r -> trials.indexOf(r.trial())));
      return results;
    } finally {
      jsc.clearJobGroup();
      model.destroy();
      shared.destroy();
    }
  }

  /** A method's scores (the new source first, then the originals; a source without validation blocks has none) and gates. */
  private static ExtensionTask.Result result(ExtensionTrial trial, ExtensionTask.Trained t, ExtensionData data, Map<String, ExtensionScorer.Sums> scores,
      int layers) {
    List<String> sources = new ArrayList<>(List.of(data.newSource()));
    sources.addAll(data.originalTokenizers().keySet());
    List<ExtensionTask.Score> out = new ArrayList<>();
    for (String s : sources) {
      ExtensionScorer.Sums before = scores.get(ExtensionScorer.unit(ExtensionScorer.BEFORE, s));
      ExtensionScorer.Sums after = scores.get(ExtensionScorer.unit(t.label(), s));
      if (before != null && after != null) {
        out.add(new ExtensionTask.Score(s, s.equals(data.newSource()), before.lm().bitsPerByte(), after.lm().bitsPerByte()));
      }
    }
    ExtensionMethod method = trial.method();
    List<ExtensionTask.GateStats> gates = new ArrayList<>();
    if (method.adapters()) {
      gates.addAll(gates("new", List.of(data.newSource()), t.label(), scores, layers, method.gated()));
      gates.addAll(gates("original", new ArrayList<>(data.originalTokenizers().keySet()), t.label(), scores, layers, method.gated()));
    }
    return new ExtensionTask.Result(trial, t.trainableParams(), t.addedParams(), t.losses(), out, gates, t.wallMillis());
  }

  /** Per layer, over the domain's sources' scoring batches: mean gate, share of open gates, mean |adapter output|. */
  private static List<ExtensionTask.GateStats> gates(String domain, List<String> sources, String method,
      Map<String, ExtensionScorer.Sums> scores, int layers, boolean gated) {
    double[] gate = new double[layers];
    double[] open = new double[layers];
    double[] abs = new double[layers];
    long batches = 0;
    for (String s : sources) {
      ExtensionScorer.Sums u = scores.get(ExtensionScorer.unit(method, s));
      if (u == null) {
        continue;
      }
      for (int l = 0; l < layers; l++) {
        gate[l] += u.gate()[l];
        open[l] += u.open()[l];
        abs[l] += u.absOutput()[l];
      }
      batches += u.batches();
    }
    List<ExtensionTask.GateStats> out = new ArrayList<>();
    for (int l = 0; l < layers; l++) {
      long n = Math.max(1, batches);
      out.add(new ExtensionTask.GateStats(domain, l, gated ? gate[l] / n : Double.NaN, gated ? open[l] / n : Double.NaN, abs[l] / n));
    }
    return out;
  }
}
