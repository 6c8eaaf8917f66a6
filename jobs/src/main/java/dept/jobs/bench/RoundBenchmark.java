package dept.jobs.bench;

import dept.train.rounds.BlockFiles;
import dept.train.rounds.RoundEngine;
import dept.train.rounds.RunLog;
import dept.train.rounds.InnerState;
import dept.train.rounds.Sharing;
import dept.train.rounds.Variant;
import dept.train.rounds.TrainConfig;
import dept.train.local.AdamW;
import dept.train.local.BlockBatches;
import dept.train.local.LocalTrainer;
import dept.train.model.DecoderLm;
import dept.train.model.ModelConfig;
import dept.train.params.NamedTensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.apache.spark.sql.SparkSession;

/**
 * Where a DEPT round's time goes, per variant, on the pipeline's real blocks: local training
 * compute against Spark's share (broadcast, scheduling, task (de)serialisation, state I/O),
 * aggregation and checkpointing; the same local steps in a plain DJL loop without Spark as the
 * peer; bytes per round against data-parallel STD; and the embedding parameters each variant
 * holds across its sources.
 */
public final class RoundBenchmark {

  private final SparkSession spark;
  private final BlockFiles blocks;
  private final Map<String, Integer> vocabSizes;
  private final Map<String, int[]> tokenBytes;
  private final ModelConfig model;
  private final int seqLen;
  private final String storeRoot;

  public RoundBenchmark(SparkSession spark, BlockFiles blocks, Map<String, Integer> vocabSizes, Map<String, int[]> tokenBytes,
      ModelConfig model, int seqLen, String storeRoot) {
    this.spark = spark;
    this.blocks = blocks;
    this.vocabSizes = vocabSizes;
    this.tokenBytes = tokenBytes;
    this.model = model;
    this.seqLen = seqLen;
    this.storeRoot = storeRoot;
  }

  /** Per variant: the rounds after the first (JIT warm-up), averaged. */
  record VariantTimes(String variant, double wallMs, double computeMs, double broadcastMs, double sparkMs, double aggregateMs,
      double checkpointMs, double bytesUp, double bytesDown, double embeddingParams, long tasks) {}

  public String run(List<String> variants, List<String> sources, TrainConfig base, int rounds, int localSteps, BenchSummary summary) {
    TrainConfig train = base.toBuilder().variants(variants.toArray(String[]::new)).rounds(rounds).localSteps(localSteps)
        .sourcesPerRound(0).replicas(1).checkpointEvery(1).evalEvery(rounds + 1).evalBlocks(8).innerState(InnerState.RESET)
        .gpusPerTask(0).taskTimeoutS(0).faults(null).maxLossRatio(4.0).build();
    List<VariantTimes> rows = new ArrayList<>();
    long bodyParams = new DecoderLm(model, 1, seqLen).initBody(0).parameterCount();
    for (String v : variants) {
      RoundEngine engine = new RoundEngine(spark, Variant.parse(v), train, model, seqLen, storeRoot + "/" + v, vocabSizes, tokenBytes);
      RunLog log = engine.run(blocks, sources, false).log();
      List<RunLog.RoundTiming> timed = log.timings().stream().filter(t -> t.round() >= 2).toList();
      List<RunLog.TaskRow> tasks = log.tasks().stream().filter(t -> t.round() >= 2).toList();
      int n = Math.max(1, timed.size());
      rows.add(new VariantTimes(v,
          mean(timed, t -> t.wallMs() - t.validateMs()), mean(timed, RunLog.RoundTiming::computeMs),
          mean(timed, RunLog.RoundTiming::broadcastMs), mean(timed, t -> t.tasksMs() - t.computeMs()),
          mean(timed, RunLog.RoundTiming::aggregateMs), mean(timed, RunLog.RoundTiming::checkpointMs),
          tasks.stream().mapToLong(RunLog.TaskRow::bytesUp).sum() / (double) n,
          tasks.stream().mapToLong(RunLog.TaskRow::bytesDown).sum() / (double) n,
          tasks.stream().mapToLong(RunLog.TaskRow::embeddingParams).sum() / (double) n,
          tasks.size() / n));
    }
    double plainMs = plainLoop(sources, train);
    for (VariantTimes r : rows) {
      if (r.variant().equals("SPEC")) {
        summary.add("rounds", String.format(Locale.ROOT, "SPEC round ms, %d sources x H = %d on Spark", sources.size(), localSteps), r.wallMs(),
            "the same steps in a plain DJL loop", plainMs, false);
      }
      summary.add("rounds", String.format(Locale.ROOT, "%s engine overhead share of a round (H = %d)", r.variant(), localSteps),
          (r.wallMs() - r.computeMs()) / r.wallMs(), "goal < 0.05");
    }
    return table(rows, sources, rounds, localSteps, plainMs, bodyParams);
  }

  private static <T> double mean(List<T> items, ToLongFunction<T> f) {
    return items.stream().mapToLong(f).average().orElse(Double.NaN);
  }

  /** The peer: the same H local steps per source, one source after another, with no Spark at all (SPEC's shapes). */
  private double plainLoop(List<String> sources, TrainConfig train) {
    RoundEngine shapes = new RoundEngine(spark, Variant.of(Sharing.SPEC), train, model, seqLen, storeRoot + "/plain", vocabSizes, tokenBytes);
    Map<String, List<int[]>> data = shapes.trainBlocks(blocks.dataset(spark), sources);
    double total = 0;
    for (String s : sources) {
      DecoderLm lm = new DecoderLm(model, vocabSizes.get(s), seqLen);
      NamedTensors body = lm.initBody(1);
      NamedTensors embed = lm.initEmbeddings(2);
      LocalTrainer trainer = new LocalTrainer(lm, train.optim(), train.localSteps(), "plain " + s, 0);
      trainer.train(body, embed, AdamW.State.fresh(body.with(embed)), new BlockBatches(data.get(s), train.optim().batchSize(), 1),
          Math.min(5, train.localSteps()), 0); // warm-up, as the engine's first round is left out
      long start = System.nanoTime();
      trainer.train(body, embed, AdamW.State.fresh(body.with(embed)), new BlockBatches(data.get(s), train.optim().batchSize(), 2),
          train.localSteps(), 0);
      total += (System.nanoTime() - start) / 1e6;
    }
    return total;
  }

  private String table(List<VariantTimes> rows, List<String> sources, int rounds, int h, double plainMs, long bodyParams) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "round benchmark: %d sources (%s), H = %d local steps, rounds 2..%d averaged, %s, %d cores%n",
        sources.size(), String.join(",", sources), h, rounds, spark.sparkContext().master(), Runtime.getRuntime().availableProcessors()));
    out.append("time per round (ms); overhead = round - local training compute (tasks share one training slot per JVM)\n");
    String fmt = "%-6s %9s %9s %9s %7s %9s %9s %9s %10s%n";
    out.append(String.format(Locale.ROOT, fmt, "variant", "round", "compute", "overhead", "share", "broadcast", "spark+io", "aggregate", "checkpoint"));
    for (VariantTimes r : rows) {
      double overhead = r.wallMs() - r.computeMs();
      out.append(String.format(Locale.ROOT, "%-6s %9.0f %9.0f %9.0f %6.1f%% %9.0f %9.0f %9.0f %10.0f%n", r.variant(), r.wallMs(), r.computeMs(),
          overhead, 100 * overhead / r.wallMs(), r.broadcastMs(), r.sparkMs(), r.aggregateMs(), r.checkpointMs()));
    }
    VariantTimes spec = rows.stream().filter(r -> r.variant().equals("SPEC")).findFirst().orElse(null);
    if (spec != null) {
      out.append(String.format(Locale.ROOT, "peer: the same %d x %d SPEC steps in a plain DJL loop without Spark: %.0f ms; a SPEC round takes %.2fx that%n",
          sources.size(), h, plainMs, spec.wallMs() / plainMs));
    }
    VariantTimes glob = rows.stream().filter(r -> r.variant().equals("GLOB") || r.variant().equals("STD")).findFirst().orElse(null);
    long fullModel = glob == null ? 0 : (long) (glob.bytesUp() / Math.max(1, glob.tasks()));
    out.append("communication per round (all tasks) and embedding parameters held across sources\n");
    String fmt2 = "%-6s %13s %13s %14s %14s %16s%n";
    out.append(String.format(Locale.ROOT, fmt2, "variant", "bytes up", "bytes down", "vs DP-STD", "embed params", "embed vs GLOB"));
    VariantTimes globRow = rows.stream().filter(r -> r.variant().equals("GLOB")).findFirst().orElse(null);
    for (VariantTimes r : rows) {
      // Data-parallel STD: every one of the K workers all-reduces the whole model at each of the H steps.
      double dpStd = (double) fullModel * sources.size() * h;
      out.append(String.format(Locale.ROOT, "%-6s %13.0f %13.0f %14s %14.0f %16s%n", r.variant(), r.bytesUp(), r.bytesDown(),
          fullModel > 0 ? String.format(Locale.ROOT, "%.4fx", r.bytesUp() / dpStd) : "", r.embeddingParams(),
          globRow != null ? String.format(Locale.ROOT, "%.2fx less", globRow.embeddingParams() / r.embeddingParams()) : ""));
    }
    out.append(String.format(Locale.ROOT, "body: %d parameters; vs DP-STD = bytes up / (K x H x whole-model bytes)%n", bodyParams));
    return out.toString();
  }
}
