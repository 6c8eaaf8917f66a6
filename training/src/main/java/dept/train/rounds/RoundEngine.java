package dept.train.rounds;

import static org.apache.spark.sql.functions.col;

import dept.prep.io.HadoopConfig;
import dept.prep.pack.TokenArrays;
import dept.prep.tokenizer.VocabConfig;
import dept.train.federated.AggregationStrategy;
import dept.train.federated.ClientUpdate;
import dept.train.federated.NesterovOuter;
import dept.train.local.AdamW;
import dept.train.model.DecoderLm;
import dept.train.model.ModelConfig;
import dept.train.params.NamedTensors;
import dept.train.params.Tensor;
import dept.train.scone.SconeConfig;
import dept.train.scone.SconeModels;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.resource.ResourceProfileBuilder;
import org.apache.spark.resource.TaskResourceRequests;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * DEPT rounds on Spark, as Flower's fit_round: choose this round's sources (seeded by round),
 * broadcast the body (and the global embeddings for STD/GLOB/TRIM), run one task per (source,
 * replica) on the partition that holds exactly its shard, aggregate what they trained with the
 * outer strategy (TRIM's token rows by global id), validate every E rounds and checkpoint every C.
 * Sources' own state lives in the {@link CheckpointStore}, so executors stay stateless and a run
 * resumed from a checkpoint computes exactly what the uninterrupted run would have.
 */
public final class RoundEngine {

  private static final Logger LOG = LoggerFactory.getLogger(RoundEngine.class);

  /** The run's result: the trained body, the global embeddings (null for SPEC), and its log. */
  public record Outcome(NamedTensors body, NamedTensors globalEmbeddings, RunLog log, int resumedFrom) {}

  private final SparkSession spark;
  private final SharingPolicy policy;
  private final TrainConfig train;
  private final ModelConfig model;
  private final int seqLen;
  private final String storeRoot;
  private final CheckpointStore store;
  private final Map<String, Integer> vocabSizes;
  private final Map<String, int[]> tokenBytes;
  private FaultInjector faults;
  private Map<String, List<int[]>> fgramSets = Map.of();

  /**
   * @param vocabSizes vocabulary size per tokenizer name (every source, and {@code global})
   * @param tokenBytes UTF-8 bytes of every token id, per tokenizer name (for bits per byte)
   */
  public RoundEngine(SparkSession spark, SharingPolicy policy, TrainConfig train, ModelConfig model, int seqLen,
      String storeRoot, Map<String, Integer> vocabSizes, Map<String, int[]> tokenBytes) {
    this.spark = spark;
    this.policy = policy;
    this.train = train;
    this.model = model;
    this.seqLen = seqLen;
    this.storeRoot = storeRoot;
    this.store = new CheckpointStore(storeRoot, spark.sparkContext().hadoopConfiguration());
    this.vocabSizes = Map.copyOf(vocabSizes);
    this.tokenBytes = Map.copyOf(tokenBytes);
    if (policy.globalVocabulary() && !vocabSizes.containsKey(VocabConfig.GLOBAL)) {
      throw new IllegalArgumentException(policy.name() + " needs the global tokenizer: run tokenize with with_global: true");
    }
  }

  /**
   * The f-gram sets a {@code +SCONE} variant reads, by tokenizer name (each source's own and
   * {@code global}), most frequent first, as the ngrams stage selected them.
   */
  public RoundEngine withFgrams(Map<String, List<int[]>> sets) {
    SconeConfig scone = train.sconeFor(policy);
    if (scone != null) {
      Map<String, List<int[]>> usable = new TreeMap<>();
      sets.forEach((name, set) -> usable.put(name, scone.usable(set)));
      this.fgramSets = usable;
    }
    return this;
  }

  private SconeConfig scone() {
    return train.sconeFor(policy);
  }

  /** The usable f-grams of a source's tokenizer (the global one for the mixture), or null without SCONE. */
  private List<int[]> fgramsOf(Map<String, List<int[]>> sets, String source) {
    if (scone() == null) {
      return null;
    }
    String tokenizer = source.equals(TaskKey.MIXTURE) ? VocabConfig.GLOBAL : tokenizerOf(source);
    List<int[]> set = sets.get(tokenizer);
    if (set == null) {
      throw new IllegalArgumentException(policy.name() + " needs the f-grams of tokenizer '" + tokenizer
          + "': run `dept ngrams` first (have sets " + sets.keySet() + ")");
    }
    return set;
  }

  /** Makes task attempts call {@code injector} first (tests of Spark's retry). */
  void injectFaults(FaultInjector injector) {
    this.faults = injector;
  }

  private String tokenizerOf(String source) {
    return policy.globalVocabulary() ? VocabConfig.GLOBAL : source;
  }

  private static List<TaskKey> taskKeys(List<String> sources, boolean mixture, int replicas) {
    List<TaskKey> keys = new ArrayList<>();
    for (String s : mixture ? List.of(TaskKey.MIXTURE) : sources) {
      for (int r = 0; r < replicas; r++) {
        keys.add(new TaskKey(s, r));
      }
    }
    return keys;
  }

  /**
   * The blocks of {@code split}, one partition per task: its source's blocks (every source's, for
   * the mixture) whose block id is congruent to its replica, sorted by id (determinism).
   */
  JavaPairRDD<TaskKey, TreeMap<String, List<int[]>>> blocksByTask(Dataset<Row> blocks, String split, List<String> sources,
      boolean mixture, int replicas) {
    Dataset<Row> chosen = blocks.where(col("split").equalTo(split)
        .and(col("source").isin(sources.toArray()))
        .and(policy.globalVocabulary() ? col("tokenizer").equalTo(VocabConfig.GLOBAL) : col("tokenizer").equalTo(col("source"))));
    List<TaskKey> keys = taskKeys(sources, mixture, replicas);
    return chosen.select("source", "block_id", "tokens").javaRDD()
        .mapToPair(r -> new Tuple2<>(
            new TaskKey(mixture ? TaskKey.MIXTURE : r.getString(0), (int) Math.floorMod(r.getLong(1), (long) replicas)),
            new BlockRow(r.getString(0), r.getLong(1), TokenArrays.ints(r.getList(2)))))
        .partitionBy(new SourcePartitioner(keys))
        .mapPartitionsToPair(it -> {
          List<BlockRow> rows = new ArrayList<>();
          TaskKey key = null;
          while (it.hasNext()) {
            Tuple2<TaskKey, BlockRow> t = it.next();
            key = t._1();
            rows.add(t._2());
          }
          rows.sort(Comparator.comparing(BlockRow::source).thenComparingLong(BlockRow::id));
          TreeMap<String, List<int[]>> bySource = new TreeMap<>();
          rows.forEach(b -> bySource.computeIfAbsent(b.source(), s -> new ArrayList<>()).add(b.tokens()));
          return key == null ? Collections.emptyIterator() : List.of(new Tuple2<>(key, bySource)).iterator();
        }, true);
  }

  /** Each source's train blocks as one task would get them (for peers and tools outside the rounds). */
  public Map<String, List<int[]>> trainBlocks(Dataset<Row> blocks, List<String> sources) {
    Map<String, List<int[]>> out = new TreeMap<>();
    blocksByTask(blocks, "train", sources.stream().sorted().toList(), false, 1).collect()
        .forEach(t -> out.put(t._1().source(), t._2().firstEntry().getValue()));
    return out;
  }

  private record BlockRow(String source, long id, int[] tokens) implements java.io.Serializable {}

  public Outcome run(Dataset<Row> blocks, List<String> sources, boolean resume) {
    return run(blocks, sources, resume, train.rounds());
  }

  /** As {@link #run(Dataset, List, boolean)}, stopping after round {@code stopAfter} as if the driver died there. */
  Outcome run(Dataset<Row> blocks, List<String> sources, boolean resume, int stopAfter) {
    List<String> sorted = sources.stream().sorted().toList();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    JavaPairRDD<TaskKey, TreeMap<String, List<int[]>>> trainBlocks =
        blocksByTask(blocks, "train", sorted, policy.mixture(), train.replicas()).persist(StorageLevel.MEMORY_AND_DISK());
    JavaPairRDD<TaskKey, TreeMap<String, List<int[]>>> valBlocks =
        blocksByTask(blocks, "val", sorted, false, 1).persist(StorageLevel.MEMORY_AND_DISK());
    // Each task's f-grams by its source (the mixture task reads the global set); empty without SCONE.
    TreeMap<String, List<int[]>> bySource = new TreeMap<>();
    if (scone() != null) {
      sorted.forEach(src -> bySource.put(src, fgramsOf(fgramSets, src)));
      if (policy.mixture()) {
        bySource.put(TaskKey.MIXTURE, fgramsOf(fgramSets, TaskKey.MIXTURE));
      }
    }
    Broadcast<Map<String, List<int[]>>> fgrams = jsc.broadcast(bySource);
    RunState state = resume ? restore(sorted) : null;
    int resumedFrom = state == null ? 0 : state.round;
    if (state == null) {
      store.clear();
      state = fresh();
      long t0 = System.nanoTime();
      validate(valBlocks, sorted, 0, state, fgrams);
      LOG.info("{} before training: {}", policy.name(), lossLine(state.log.validation(), 0));
      state.log.timings().add(new RunLog.RoundTiming(policy.name(), 0, ms(t0), 0, 0, 0, 0, 0, ms(t0)));
    } else {
      LOG.info("{}: resuming after round {} from {}", policy.name(), state.round, storeRoot);
    }
    HadoopConfig hadoop = new HadoopConfig(spark.sparkContext().hadoopConfiguration());
    ResourceProfile gpus = gpuProfile();
    long runStart = System.nanoTime();
    int firstRound = state.round + 1;
    try {
      for (int round = firstRound; round <= Math.min(stopAfter, train.rounds()); round++) {
        long start = System.nanoTime();
        RoundTasks done = runTasks(jsc, trainBlocks, sorted, round, state, hadoop, gpus, fgrams);
        long broadcastMs = done.broadcastMs();
        long tasksMs = done.tasksMs();
        List<SourceTask.Result> results = new ArrayList<>(done.results());
        results.sort(Comparator.comparing(SourceTask.Result::source).thenComparingInt(SourceTask.Result::replica));

        long aggStart = System.nanoTime();
        aggregate(round, state, results);
        long aggregateMs = ms(aggStart);
        long validateMs = 0;
        if (round % train.evalEvery() == 0 || round == train.rounds()) {
          long v = System.nanoTime();
          validate(valBlocks, sorted, round, state, fgrams);
          validateMs = ms(v);
        }
        long wallBeforeCheckpoint = ms(start);
        for (SourceTask.Result r : results) {
          state.log.tasks().add(new RunLog.TaskRow(policy.name(), round, r.source(), r.replica(), (long) round * train.localSteps(),
              r.lastLoss(), r.losses(), r.tokens(), r.bytesUp(), r.bytesDown(), r.paramsUp(), r.paramsDown(),
              r.embeddingParams(), r.computeMillis(), r.taskMillis(), wallBeforeCheckpoint, r.diverged()));
        }
        state.round = round;
        long checkpointMs = 0;
        if (round % train.checkpointEvery() == 0 || round == train.rounds()) {
          long c = System.nanoTime();
          checkpoint(state, sorted);
          checkpointMs = ms(c);
        }
        long compute = results.stream().mapToLong(SourceTask.Result::computeMillis).sum();
        state.log.timings().add(new RunLog.RoundTiming(policy.name(), round, ms(start), broadcastMs, tasksMs, compute,
            aggregateMs, checkpointMs, validateMs));
        progress(round, start, runStart, firstRound, results, state);
      }
      return new Outcome(state.body, state.embeddings, state.log, resumedFrom);
    } finally {
      trainBlocks.unpersist();
      valBlocks.unpersist();
      fgrams.destroy();
      jsc.clearJobGroup();
    }
  }

  /** The trained model for later stages: the global embeddings, or each source's own (SPEC). */
  public TrainedModel export(Outcome outcome, List<String> sources) {
    Map<String, NamedTensors> embeddings = new TreeMap<>();
    if (outcome.globalEmbeddings() != null) {
      embeddings.put(VocabConfig.GLOBAL, outcome.globalEmbeddings());
    } else {
      for (String s : sources) {
        DecoderLm lm = new DecoderLm(model, vocabSizes.get(s), seqLen);
        embeddings.put(s, SourceState.embeddingsOf(store, s, train.replicas(), train.rounds())
            .orElseGet(() -> InputSide.init(lm, train, policy, SourceTask.embeddingSeed(train.seed(), s))));
      }
    }
    return new TrainedModel(policy.name(), model, seqLen, train.rounds(), outcome.body(), embeddings, scone(), train.rtdFor(policy));
  }

  private record RoundTasks(List<SourceTask.Result> results, long broadcastMs, long tasksMs) {}

  /**
   * One round's training tasks as a Spark job. With {@code task_timeout_s}, a round whose tasks
   * have not all finished in time (a hung executor) is cancelled and submitted again, at most
   * three times: tasks read round r-1's state and write round r's, so a re-run is harmless.
   */
  private RoundTasks runTasks(JavaSparkContext jsc, JavaPairRDD<TaskKey, TreeMap<String, List<int[]>>> trainBlocks,
      List<String> sources, int round, RunState state, HadoopConfig hadoop, ResourceProfile gpus,
      Broadcast<Map<String, List<int[]>>> fgrams) {
    FaultInjector injector = faults != null ? faults : train.faults().injector();
    for (int attempt = 0; ; attempt++) {
      long start = System.nanoTime();
      Map<TaskKey, SourceTask> tasks = new TreeMap<>();
      for (TaskKey key : taskKeys(choose(sources, round), policy.mixture(), train.replicas())) {
        tasks.put(key, new SourceTask(policy.name(), key, round, attempt, train, model, seqLen,
            vocabSizes.get(tokenizerOf(key.source())), storeRoot, hadoop, injector));
      }
      Broadcast<byte[]> bodyDown = jsc.broadcast(state.body.toBytes());
      Broadcast<byte[]> embedDown = jsc.broadcast(state.embeddings == null ? NONE : state.embeddings.toBytes());
      Broadcast<byte[]> momentsDown = jsc.broadcast(state.moments == null ? NONE : new SourceState(null, state.moments, 0).toBytes());
      long broadcastMs = ms(start);
      long tasksStart = System.nanoTime();
      String group = String.format(Locale.ROOT, "dept-%s-round-%d-attempt-%d", policy.name(), round, attempt);
      jsc.setJobGroup(group, String.format(Locale.ROOT, "DEPT %s round %d/%d", policy.name(), round, train.rounds()), true);
      try {
        JavaRDD<SourceTask.Result> trained = trainBlocks
            .filter(t -> tasks.containsKey(t._1()))
            .map(t -> tasks.get(t._1()).run(t._2(), bodyDown.value(), orNull(embedDown.value()), orNull(momentsDown.value()),
                fgrams.value().get(t._1().source())));
        if (gpus != null) {
          trained = trained.withResources(gpus);
        }
        if (train.taskTimeoutS() == 0) {
          return new RoundTasks(trained.collect(), broadcastMs, ms(tasksStart));
        }
        JavaFutureAction<List<SourceTask.Result>> job = trained.collectAsync();
        try {
          return new RoundTasks(job.get(train.taskTimeoutS(), TimeUnit.SECONDS), broadcastMs, ms(tasksStart));
        } catch (TimeoutException e) {
          job.cancel(true);
          jsc.cancelJobGroup(group);
          LOG.warn("{} round {}: tasks still running after task_timeout_s = {} s (attempt {}); cancelled, running the round again",
              policy.name(), round, train.taskTimeoutS(), attempt + 1);
          if (attempt == 2) {
            throw new IllegalStateException(policy.name() + " round " + round + ": tasks did not finish within "
                + train.taskTimeoutS() + " s in 3 attempts; raise train.task_timeout_s or check the executors");
          }
        } catch (ExecutionException e) {
          throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          job.cancel(true);
          throw new IllegalStateException("interrupted while waiting for round " + round, e);
        }
      } finally {
        jsc.clearJobGroup();
        bodyDown.destroy();
        embedDown.destroy();
        momentsDown.destroy();
      }
    }
  }

  /** The driver's state between rounds: what a checkpoint holds. */
  private static final class RunState {
    int round;
    NamedTensors body;
    NamedTensors embeddings;
    AdamW.State moments;
    AggregationStrategy outer;
    int lastCheckpoint;
    RunLog log = new RunLog();
  }

  private RunState fresh() {
    RunState s = new RunState();
    DecoderLm shapes = new DecoderLm(model, policy.globalVocabulary() ? vocabSizes.get(VocabConfig.GLOBAL) : 1, seqLen);
    s.body = InputSide.body(shapes, train, policy, train.seed());
    s.embeddings = policy.globalVocabulary() ? InputSide.init(shapes, train, policy, train.seed()) : null;
    s.outer = train.outer().create(null);
    return s;
  }

  private ResourceProfile gpuProfile() {
    if (train.gpusPerTask() == 0) {
      return null;
    }
    if (spark.sparkContext().isLocal()) {
      LOG.info("train.gpus_per_task = {} is ignored in local mode: tasks share this JVM's devices", train.gpusPerTask());
      return null;
    }
    TaskResourceRequests task = new TaskResourceRequests().cpus(1).resource("gpu", train.gpusPerTask());
    return new ResourceProfileBuilder().require(task).build();
  }

  private List<String> choose(List<String> sources, int round) {
    if (policy.mixture() || train.sourcesPerRound() <= 0 || train.sourcesPerRound() >= sources.size()) {
      return sources;
    }
    List<String> shuffled = new ArrayList<>(sources);
    Collections.shuffle(shuffled, new Random(train.seed() * 31 + round));
    List<String> chosen = new ArrayList<>(shuffled.subList(0, train.sourcesPerRound()));
    Collections.sort(chosen);
    return chosen;
  }

  /** The outer step on the aggregated tensors (and moments under AVERAGE), then TRIM's row merge. */
  private void aggregate(int round, RunState state, List<SourceTask.Result> all) {
    List<SourceTask.Result> results = all.stream().filter(r -> !r.diverged()).toList();
    all.stream().filter(SourceTask.Result::diverged).forEach(r -> LOG.warn("{} round {}: {}#{} diverged (non-finite "
        + "parameters, or loss {} > max_loss_ratio x its first); its update is left out and its state kept",
        policy.name(), round, r.source(), r.replica(), r.lastLoss()));
    NamedTensors shared = state.body.with(state.embeddings == null ? new NamedTensors(Map.of()) : state.embeddings.select(policy::aggregated));
    List<ClientUpdate> updates = new ArrayList<>();
    results.forEach(r -> updates.add(new ClientUpdate(r.source(), NamedTensors.fromBytes(r.trained()), r.tokens())));
    NamedTensors updated = state.outer.aggregate(round, shared, updates, 0).orElse(shared);
    state.body = updated.select(n -> n.startsWith(DecoderLm.BODY));
    if (state.embeddings != null) {
      state.embeddings = state.embeddings.with(updated.select(n -> !n.startsWith(DecoderLm.BODY)));
    }
    if (policy.base() instanceof SharingPolicy.Trim) {
      List<int[]> ids = new ArrayList<>();
      List<Tensor> rows = new ArrayList<>();
      results.forEach(r -> {
        ids.add(r.trimIds());
        rows.add(NamedTensors.fromBytes(r.trimRows()).get(DecoderLm.EMBED + "wte"));
      });
      Tensor merged = TrimRows.merge(state.embeddings.get(DecoderLm.EMBED + "wte"), ids, rows);
      state.embeddings = state.embeddings.with(new NamedTensors(Map.of(DecoderLm.EMBED + "wte", merged)));
    }
    if (train.innerFor(policy) == InnerState.AVERAGE && !results.isEmpty()) {
      List<NamedTensors> m = new ArrayList<>();
      List<NamedTensors> v = new ArrayList<>();
      long steps = 0;
      for (SourceTask.Result r : results) {
        AdamW.State s = SourceState.fromBytes(r.sharedMoments()).optimizer();
        m.add(s.m());
        v.add(s.v());
        steps = Math.max(steps, s.steps());
      }
      List<Double> uniform = Collections.nCopies(m.size(), 1.0);
      state.moments = new AdamW.State(NamedTensors.weightedMean(m, uniform), NamedTensors.weightedMean(v, uniform), steps);
    }
  }

  /** Per-source validation as Spark tasks: the body with each source's embeddings (SPEC: its own, from the store). */
  private void validate(JavaPairRDD<TaskKey, TreeMap<String, List<int[]>>> val, List<String> sources, int round, RunState state,
      Broadcast<Map<String, List<int[]>>> fgrams) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<byte[]> body = jsc.broadcast(state.body.toBytes());
    Broadcast<byte[]> embeddings = jsc.broadcast(state.embeddings == null ? NONE : state.embeddings.toBytes());
    Map<String, SourceEvaluation> jobs = new TreeMap<>();
    HadoopConfig hadoop = new HadoopConfig(spark.sparkContext().hadoopConfiguration());
    for (String s : sources) {
      String tokenizer = tokenizerOf(s);
      jobs.put(s, new SourceEvaluation(policy.name(), s, round, train, model, seqLen, vocabSizes.get(tokenizer),
          tokenBytes.get(tokenizer), storeRoot, hadoop));
    }
    List<RunLog.ValidationRow> rows = new ArrayList<>(val
        .map(t -> jobs.get(t._1().source()).run(t._2().firstEntry().getValue(), body.value(), orNull(embeddings.value()),
            fgrams.value().get(t._1().source())))
        .collect());
    body.destroy();
    embeddings.destroy();
    rows.sort(Comparator.comparing(RunLog.ValidationRow::source));
    state.log.validation().addAll(rows);
  }

  private void checkpoint(RunState state, List<String> sources) {
    if (!state.body.allFinite() || (state.embeddings != null && !state.embeddings.allFinite())) {
      throw new IllegalStateException(policy.name() + " round " + state.round + ": the aggregated model is not finite; "
          + "not writing a checkpoint (the previous one stays the newest)");
    }
    Map<String, byte[]> files = new TreeMap<>();
    files.put("body.bin", state.body.toBytes());
    if (state.embeddings != null) {
      files.put("embeddings.bin", state.embeddings.toBytes());
    }
    if (state.moments != null) {
      files.put("moments.bin", new SourceState(null, state.moments, 0).toBytes());
    }
    if (state.outer instanceof NesterovOuter n && n.velocity() != null) {
      files.put("velocity.bin", n.velocity().toBytes());
    }
    files.put("log.json", state.log.toJson());
    files.put("run.json", RunFingerprint.of(policy, train, model, seqLen, sources).toJson());
    store.writeRound(state.round, files);
    // Keep this checkpoint and the one before (and the source states both need), so a torn
    // newest checkpoint still leaves one to resume from.
    store.prune(state.lastCheckpoint);
    state.lastCheckpoint = state.round;
  }

  private RunState restore(List<String> sources) {
    var latest = store.latestComplete();
    if (latest.isEmpty()) {
      LOG.info("{}: no complete checkpoint under {}; starting fresh", policy.name(), storeRoot);
      return null;
    }
    Map<String, byte[]> files = latest.get().files();
    RunFingerprint.fromJson(files.get("run.json")).requireSame(RunFingerprint.of(policy, train, model, seqLen, sources), storeRoot);
    RunState s = new RunState();
    s.round = latest.get().round();
    s.lastCheckpoint = s.round;
    s.body = NamedTensors.fromBytes(files.get("body.bin"));
    s.embeddings = files.containsKey("embeddings.bin") ? NamedTensors.fromBytes(files.get("embeddings.bin")) : null;
    s.moments = files.containsKey("moments.bin") ? SourceState.fromBytes(files.get("moments.bin")).optimizer() : null;
    s.outer = train.outer().create(files.containsKey("velocity.bin") ? NamedTensors.fromBytes(files.get("velocity.bin")) : null);
    s.log = RunLog.fromJson(files.get("log.json"));
    return s;
  }

  /** What a broadcast of "nothing" carries (Spark broadcasts values, not nulls). */
  private static final byte[] NONE = new byte[0];

  private static byte[] orNull(byte[] b) {
    return b.length == 0 ? null : b;
  }

  private static long ms(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private static String lossLine(List<RunLog.ValidationRow> rows, int round) {
    StringBuilder b = new StringBuilder("val loss");
    rows.stream().filter(r -> r.round() == round)
        .forEach(r -> b.append(String.format(Locale.ROOT, " %s=%.3f", r.source(), r.loss())));
    return b.toString();
  }

  private void progress(int round, long start, long runStart, int firstRound, List<SourceTask.Result> results, RunState state) {
    StringBuilder losses = new StringBuilder();
    long up = 0;
    long down = 0;
    long tokens = 0;
    for (SourceTask.Result r : results) {
      losses.append(String.format(Locale.ROOT, " %s=%.3f", r.source() + (train.replicas() > 1 ? "#" + r.replica() : ""), r.lastLoss()));
      up += r.bytesUp();
      down += r.bytesDown();
      tokens += r.tokens();
    }
    double secs = (System.nanoTime() - start) / 1e9;
    double perRound = (System.nanoTime() - runStart) / 1e9 / (round - firstRound + 1);
    boolean validated = state.log.validation().stream().anyMatch(v -> v.round() == round);
    LOG.info(String.format(Locale.ROOT, "%s round %d/%d: train loss%s; %.0f tok/s; %d B up, %d B down; %.1f s, ETA %.0f s%s",
        policy.name(), round, train.rounds(), losses, tokens / secs, up, down, secs, perRound * (train.rounds() - round),
        validated ? "; " + lossLine(state.log.validation(), round) : ""));
  }
}
