package dept.train.rounds;

import static dept.train.rounds.RoundRunner.ms;

import dept.prep.io.HadoopConfig;
import dept.prep.pack.TokenArrays;
import dept.prep.tokenizer.VocabConfig;
import dept.train.model.DecoderLm;
import dept.train.model.ModelConfig;
import dept.train.params.NamedTensors;
import dept.train.random.Seeds;
import dept.train.scone.SconeConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DEPT rounds on Spark, shaped like a Flower strategy's round: configure ({@link RoundPlan}: which
 * sources, what each task gets) -> fit ({@link RoundRunner}: Spark tasks, timeouts, retries, GPU
 * profile) -> aggregate ({@link RoundAggregation}: the outer strategy) -> validate every E rounds
 * ({@link RoundValidation}) -> checkpoint every C ({@link RoundCheckpoints}). What each variant
 * shares is its {@link SharingPolicy}'s business. Sources' own state lives in the
 * {@link CheckpointStore}, so executors stay stateless and a run resumed from a checkpoint computes
 * exactly what the uninterrupted run would have.
 */
public final class RoundEngine {

  private static final Logger LOG = LoggerFactory.getLogger(RoundEngine.class);

  /** The run's result: the trained body, the global embeddings (null for SPEC), and its log. */
  public record Outcome(NamedTensors body, NamedTensors globalEmbeddings, RunLog log, int resumedFrom) {}

  private final SparkSession spark;
  private final RoundSetup setup;
  private final String storeRoot;
  private final Map<String, int[]> tokenBytes;
  private FaultInjector faults;
  private Map<String, List<int[]>> fgramSets = Map.of();

  /**
   * @param vocabSizes vocabulary size per tokenizer name (every source, and {@code global})
   * @param tokenBytes UTF-8 bytes of every token id, per tokenizer name (for bits per byte)
   */
  public RoundEngine(SparkSession spark, Variant variant, TrainConfig train, ModelConfig model, int seqLen,
      String storeRoot, Map<String, Integer> vocabSizes, Map<String, int[]> tokenBytes) {
    this.spark = spark;
    this.storeRoot = storeRoot;
    this.setup = new RoundSetup(variant, train, model, seqLen, storeRoot,
        new HadoopConfig(spark.sparkContext().hadoopConfiguration()), Map.copyOf(vocabSizes));
    this.tokenBytes = Map.copyOf(tokenBytes);
    if (variant.globalVocabulary() && !vocabSizes.containsKey(VocabConfig.GLOBAL)) {
      throw new IllegalArgumentException(variant + " needs the global tokenizer: run tokenize with with_global: true");
    }
  }

  /**
   * The f-gram sets a {@code +SCONE} variant reads, by tokenizer name (each source's own and
   * {@code global}), most frequent first, as the ngrams stage selected them.
   */
  public RoundEngine withFgrams(Map<String, List<int[]>> sets) {
    SconeConfig scone = scone();
    if (scone != null) {
      Map<String, List<int[]>> usable = new TreeMap<>();
      sets.forEach((name, set) -> usable.put(name, scone.usable(set)));
      this.fgramSets = usable;
    }
    return this;
  }

  private SconeConfig scone() {
    return setup.train().sconeFor(setup.variant());
  }

  /** Makes task attempts call {@code injector} first (tests of Spark's retry). */
  void injectFaults(FaultInjector injector) {
    this.faults = injector;
  }

  /** Each task's f-grams by its source (the mixture task reads the global set); empty without SCONE. */
  private TreeMap<String, List<int[]>> fgramsBySource(List<String> sources) {
    TreeMap<String, List<int[]>> bySource = new TreeMap<>();
    if (scone() == null) {
      return bySource;
    }
    List<String> keys = new ArrayList<>(sources);
    if (setup.variant().mixture()) {
      keys.add(TaskKey.MIXTURE);
    }
    for (String source : keys) {
      String tokenizer = setup.tokenizerOf(source);
      List<int[]> set = fgramSets.get(tokenizer);
      if (set == null) {
        throw new IllegalArgumentException(setup.variant() + " needs the f-grams of tokenizer '" + tokenizer
            + "': run `dept ngrams` first (have sets " + fgramSets.keySet() + ")");
      }
      bySource.put(source, set);
    }
    return bySource;
  }

  /**
   * Each source's train blocks in block-id order, encoded as this variant encodes it, gathered on
   * the driver: for peers and tools outside the rounds, on corpora that fit in memory.
   */
  public Map<String, List<int[]>> trainBlocks(Dataset<Row> blocks, List<String> sources) {
    Map<String, List<int[]>> out = new TreeMap<>();
    TaskCorpus.trainRows(blocks, setup.variant(), sources)
        .select("source", "block_id", "tokens").orderBy("source", "block_id").collectAsList()
        .forEach(r -> out.computeIfAbsent(r.getString(0), s -> new ArrayList<>()).add(TokenArrays.ints(r.getList(2))));
    return out;
  }

  /** Trains on the {@code blocks} dataset at {@code files}: each round's tasks read only the blocks they train on. */
  public Outcome run(BlockFiles files, List<String> sources, boolean resume) {
    return run(files, sources, resume, setup.train().rounds());
  }

  /** As {@link #run(BlockFiles, List, boolean)}, stopping after round {@code stopAfter} as if the driver died there. */
  Outcome run(BlockFiles files, List<String> sources, boolean resume, int stopAfter) {
    List<String> sorted = sources.stream().sorted().toList();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Dataset<Row> blocks = files.dataset(spark);
    JavaPairRDD<TaskKey, TaskCorpus> corpora = TaskCorpus.of(blocks, setup, sorted);
    RoundValidation validation = null;
    Broadcast<Map<String, List<int[]>>> fgrams = null;
    try {
      validation = new RoundValidation(jsc, setup, tokenBytes, blocks, sorted);
      fgrams = jsc.broadcast(fgramsBySource(sorted));
      return rounds(corpora, files, sorted, resume, stopAfter, validation, fgrams);
    } finally {
      corpora.unpersist();
      if (validation != null) {
        validation.close();
      }
      if (fgrams != null) {
        fgrams.destroy();
      }
      jsc.clearJobGroup();
    }
  }

  private Outcome rounds(JavaPairRDD<TaskKey, TaskCorpus> corpora, BlockFiles files, List<String> sorted, boolean resume,
      int stopAfter, RoundValidation validation, Broadcast<Map<String, List<int[]>>> fgrams) {
    Variant variant = setup.variant();
    TrainConfig train = setup.train();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    RoundCheckpoints checkpoints = new RoundCheckpoints(new CheckpointStore(storeRoot, spark.sparkContext().hadoopConfiguration()),
        storeRoot, RunFingerprint.of(variant, train, setup.model(), setup.seqLen(), sorted), train);
    DriverState state = resume ? checkpoints.restore(variant).orElse(null) : null;
    int resumedFrom = state == null ? 0 : state.round;
    if (state == null) {
      checkpoints.clear();
    }
    if (variant.policy().rowsFromData()) {
      HeldRows.write(corpora, setup); // TRIM's validation scores each source over the rows it holds
    }
    validation.shareWithTasks();
    if (state == null) {
      state = fresh();
      long t0 = System.nanoTime();
      state.log.validation().addAll(validation.run(0, state, fgrams));
      LOG.info("{} before training: {}", variant, RoundProgress.lossLine(state.log.validation(), 0));
      state.log.timings().add(new RunLog.RoundTiming(variant.name(), 0, ms(t0), 0, 0, 0, 0, 0, ms(t0)));
    } else {
      LOG.info("{}: resuming after round {} from {}", variant, state.round, storeRoot);
    }
    RoundRunner runner = new RoundRunner(jsc, setup, faults != null ? faults : train.faults().injector());
    RoundProgress progress = new RoundProgress(variant, train, state.round + 1);
    for (int round = state.round + 1; round <= Math.min(stopAfter, train.rounds()); round++) {
      long start = System.nanoTime();
      RoundRunner.Done done = runner.run(corpora, files, sorted, round, state, fgrams);
      List<SourceTask.Result> results = done.results();

      long aggStart = System.nanoTime();
      RoundAggregation.apply(variant, train, round, state, done);
      long aggregateMs = ms(aggStart);
      long validateMs = 0;
      if (train.validates(round)) {
        long v = System.nanoTime();
        state.log.validation().addAll(validation.run(round, state, fgrams));
        validateMs = ms(v);
      }
      logTasks(round, results, ms(start), state.log);
      state.round = round;
      long checkpointMs = 0;
      if (round % train.checkpointEvery() == 0 || round == train.rounds()) {
        long c = System.nanoTime();
        checkpoints.write(variant, state);
        checkpointMs = ms(c);
      }
      long compute = results.stream().mapToLong(SourceTask.Result::computeMillis).sum();
      state.log.timings().add(new RunLog.RoundTiming(variant.name(), round, ms(start), done.broadcastMs(), done.tasksMs(),
          compute, aggregateMs, checkpointMs, validateMs));
      progress.roundDone(round, start, results, state.log);
    }
    return new Outcome(state.body, state.embeddings, state.log, resumedFrom);
  }

  private void logTasks(int round, List<SourceTask.Result> results, long wallBeforeCheckpoint, RunLog log) {
    for (SourceTask.Result r : results) {
      log.tasks().add(new RunLog.TaskRow(setup.variant().name(), round, r.source(), r.replica(),
          (long) round * setup.train().localSteps(), r.lastLoss(), r.losses(), r.tokens(), r.bytesUp(), r.bytesDown(),
          r.paramsUp(), r.paramsDown(), r.embeddingParams(), r.computeMillis(), r.taskMillis(), wallBeforeCheckpoint,
          r.diverged(), r.blocksRead(), r.rowsScanned(), r.localValLoss(), r.localValBitsPerByte()));
    }
  }

  private DriverState fresh() {
    TrainConfig train = setup.train();
    Variant variant = setup.variant();
    DriverState s = new DriverState();
    DecoderLm shapes = new DecoderLm(setup.model(), variant.globalVocabulary() ? setup.vocabSizes().get(VocabConfig.GLOBAL) : 1,
        setup.seqLen());
    s.body = InputSide.body(shapes, train, variant, Seeds.derive(train.seed(), "body"));
    s.embeddings = variant.sharedEmbeddings() ? InputSide.init(shapes, train, variant, SourceTask.embeddingSeed(train.seed(), VocabConfig.GLOBAL)) : null;
    s.outer = train.outer().create(null);
    return s;
  }

  /**
   * The trained model for later stages: the global embeddings, or each source's own (SPEC), each
   * table named with the tokenizer it reads.
   */
  public TrainedModel export(Outcome outcome, List<String> sources) {
    Map<String, NamedTensors> embeddings = new TreeMap<>();
    Map<String, String> tokenizers = new TreeMap<>();
    if (outcome.globalEmbeddings() != null) {
      embeddings.put(VocabConfig.GLOBAL, outcome.globalEmbeddings());
      tokenizers.put(VocabConfig.GLOBAL, VocabConfig.GLOBAL);
    } else {
      for (String s : sources) {
        embeddings.put(s, setup.side(s).ownEmbeddings(setup.train().rounds()));
        tokenizers.put(s, setup.tokenizerOf(s));
      }
    }
    return new TrainedModel(setup.variant().name(), setup.model(), setup.seqLen(), setup.train().rounds(), outcome.body(),
        embeddings, tokenizers, scone(), setup.train().rtdFor(setup.variant()));
  }
}
