package dept.train.dept;

import static org.apache.spark.sql.functions.col;

import dept.prep.io.HadoopConfig;
import dept.prep.pack.TokenArrays;
import dept.prep.tokenizer.VocabConfig;
import dept.train.federated.AggregationStrategy;
import dept.train.federated.ClientUpdate;
import dept.train.local.Evaluator;
import dept.train.local.OptimConfig;
import dept.train.model.DecoderLm;
import dept.train.model.ModelConfig;
import dept.train.params.NamedTensors;
import dept.train.params.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * DEPT rounds on Spark, as Flower's fit_round: choose this round's sources (seeded), broadcast the
 * body (and the global embeddings for GLOB/TRIM), run one task per chosen source on the partition
 * that holds exactly its blocks, then aggregate what they trained on the driver with the outer
 * strategy (TRIM's token rows by global id). Sources' own state lives in the {@link
 * CheckpointStore}, so executors stay stateless. STD, checkpoints with resume, and the CLI stage
 * come with the rest of issue #6.
 */
public final class RoundEngine {

  private static final Logger LOG = LoggerFactory.getLogger(RoundEngine.class);

  /** The engine's settings (the train stage's config section will bind to these). */
  public record Settings(SharingPolicy policy, int rounds, int localSteps, int sourcesPerRound, long seed,
      OptimConfig optim, ModelConfig model, int seqLen) {}

  /** The trained body, the global embeddings (null for SPEC), and every task's result. */
  public record Outcome(NamedTensors body, NamedTensors globalEmbeddings, List<SourceTask.Result> results) {}

  private final SparkSession spark;
  private final Settings settings;
  private final AggregationStrategy outer;
  private final CheckpointStore store;
  private final String storeRoot;
  private final Map<String, Integer> vocabSizes;

  /** @param vocabSizes vocabulary size per tokenizer name (every source, and {@code global}) */
  public RoundEngine(SparkSession spark, Settings settings, AggregationStrategy outer, String storeRoot,
      Map<String, Integer> vocabSizes) {
    if (settings.policy() instanceof SharingPolicy.Std) {
      throw new IllegalArgumentException("STD trains one model on the mixture; the round engine runs GLOB, TRIM and SPEC");
    }
    this.spark = spark;
    this.settings = settings;
    this.outer = outer;
    this.storeRoot = storeRoot;
    this.store = new CheckpointStore(storeRoot, spark.sparkContext().hadoopConfiguration());
    this.vocabSizes = Map.copyOf(vocabSizes);
  }

  /** The tokenizer a source's blocks come from under this variant. */
  private String tokenizerOf(String source) {
    return settings.policy().globalVocabulary() ? VocabConfig.GLOBAL : source;
  }

  /** Blocks of {@code split} of these sources, one partition per source, in block_id order (determinism). */
  public JavaPairRDD<String, List<int[]>> blocksBySource(Dataset<Row> blocks, String split, List<String> sources) {
    boolean global = settings.policy().globalVocabulary();
    Dataset<Row> chosen = blocks.where(col("split").equalTo(split)
        .and(col("source").isin(sources.toArray()))
        .and(global ? col("tokenizer").equalTo(VocabConfig.GLOBAL) : col("tokenizer").equalTo(col("source"))));
    return chosen.select("source", "block_id", "tokens").javaRDD()
        .mapToPair(r -> new Tuple2<>(r.getString(0), new Tuple2<>(r.getLong(1), TokenArrays.ints(r.getList(2)))))
        .partitionBy(new SourcePartitioner(sources))
        .mapPartitionsToPair(it -> {
          List<Tuple2<Long, int[]>> rows = new ArrayList<>();
          String source = null;
          while (it.hasNext()) {
            Tuple2<String, Tuple2<Long, int[]>> t = it.next();
            source = t._1();
            rows.add(t._2());
          }
          rows.sort(Comparator.comparing(Tuple2::_1));
          List<int[]> ordered = new ArrayList<>(rows.size());
          rows.forEach(t -> ordered.add(t._2()));
          return source == null ? Collections.emptyIterator() : List.of(new Tuple2<>(source, ordered)).iterator();
        }, true);
  }

  public Outcome run(Dataset<Row> blocks, List<String> sources) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    JavaPairRDD<String, List<int[]>> train = blocksBySource(blocks, "train", sources).persist(StorageLevel.MEMORY_AND_DISK());
    int globalVocab = vocabSizes.getOrDefault(VocabConfig.GLOBAL, 0);
    DecoderLm shapes = new DecoderLm(settings.model(), Math.max(1, globalVocab), settings.seqLen());
    NamedTensors body = shapes.initBody(settings.seed());
    NamedTensors globalEmbeddings = settings.policy().globalVocabulary() ? shapes.initEmbeddings(settings.seed()) : null;
    HadoopConfig hadoop = new HadoopConfig(spark.sparkContext().hadoopConfiguration());
    List<SourceTask.Result> all = new ArrayList<>();
    try {
      for (int round = 1; round <= settings.rounds(); round++) {
        long start = System.nanoTime();
        List<String> chosen = choose(sources, round);
        Map<String, SourceTask> tasks = new TreeMap<>();
        for (String s : chosen) {
          tasks.put(s, new SourceTask(settings.policy().name(), s, round, settings.rounds(), settings.localSteps(),
              settings.seed(), settings.optim(), settings.model(), settings.seqLen(), vocabSizes.get(tokenizerOf(s)), storeRoot, hadoop));
        }
        Broadcast<byte[]> bodyDown = jsc.broadcast(body.toBytes());
        Broadcast<byte[]> embedDown = jsc.broadcast(globalEmbeddings == null ? new byte[0] : globalEmbeddings.toBytes());
        List<SourceTask.Result> results = train
            .filter(t -> tasks.containsKey(t._1()))
            .map(t -> tasks.get(t._1()).run(t._2(), NamedTensors.fromBytes(bodyDown.value()),
                embedDown.value().length == 0 ? null : NamedTensors.fromBytes(embedDown.value())))
            .collect();
        bodyDown.destroy();
        embedDown.destroy();
        List<SourceTask.Result> sorted = new ArrayList<>(results);
        sorted.sort(Comparator.comparing(SourceTask.Result::source));
        NamedTensors[] next = aggregate(round, body, globalEmbeddings, sorted);
        body = next[0];
        globalEmbeddings = next[1];
        all.addAll(sorted);
        progress(round, start, sorted);
      }
      return new Outcome(body, globalEmbeddings, all);
    } finally {
      train.unpersist();
    }
  }

  private List<String> choose(List<String> sources, int round) {
    if (settings.sourcesPerRound() <= 0 || settings.sourcesPerRound() >= sources.size()) {
      return sources;
    }
    List<String> shuffled = new ArrayList<>(sources);
    Collections.shuffle(shuffled, new Random(settings.seed() * 31 + round));
    List<String> chosen = new ArrayList<>(shuffled.subList(0, settings.sourcesPerRound()));
    Collections.sort(chosen);
    return chosen;
  }

  /** The outer step on the aggregated tensors, then TRIM's row merge; returns {body, embeddings}. */
  private NamedTensors[] aggregate(int round, NamedTensors body, NamedTensors embeddings, List<SourceTask.Result> results) {
    SharingPolicy policy = settings.policy();
    NamedTensors shared = body.with(embeddings == null ? new NamedTensors(Map.of()) : embeddings.select(policy::aggregated));
    List<ClientUpdate> updates = new ArrayList<>();
    results.forEach(r -> updates.add(new ClientUpdate(r.source(), NamedTensors.fromBytes(r.trained()), r.tokens())));
    NamedTensors updated = outer.aggregate(round, shared, updates, 0).orElse(shared);
    NamedTensors newBody = updated.select(n -> n.startsWith(DecoderLm.BODY));
    NamedTensors newEmbeddings = embeddings == null ? null : embeddings.with(updated.select(n -> n.startsWith(DecoderLm.EMBED)));
    if (policy instanceof SharingPolicy.Trim) {
      List<int[]> ids = new ArrayList<>();
      List<Tensor> rows = new ArrayList<>();
      results.forEach(r -> {
        ids.add(r.trimIds());
        rows.add(NamedTensors.fromBytes(r.trimRows()).get(DecoderLm.EMBED + "wte"));
      });
      Tensor merged = TrimRows.merge(embeddings.get(DecoderLm.EMBED + "wte"), ids, rows);
      newEmbeddings = newEmbeddings.with(new NamedTensors(Map.of(DecoderLm.EMBED + "wte", merged)));
    }
    return new NamedTensors[] {newBody, newEmbeddings};
  }

  private void progress(int round, long start, List<SourceTask.Result> results) {
    StringBuilder losses = new StringBuilder();
    long up = 0;
    long down = 0;
    long tokens = 0;
    for (SourceTask.Result r : results) {
      losses.append(String.format(java.util.Locale.ROOT, " %s=%.3f", r.source(), r.lastLoss()));
      up += r.bytesUp();
      down += r.bytesDown();
      tokens += r.tokens();
    }
    double secs = (System.nanoTime() - start) / 1e9;
    LOG.info(String.format(java.util.Locale.ROOT, "%s round %d/%d: loss%s; %.0f tok/s; %d B up, %d B down; %.1f s, ETA %.0f s",
        settings.policy().name(), round, settings.rounds(), losses, tokens / secs, up, down, secs, secs * (settings.rounds() - round)));
  }

  /** Validation metrics per source: the body with each source's embeddings (SPEC: its latest own). */
  public Map<String, Evaluator.Metrics> evaluate(Dataset<Row> blocks, List<String> sources, NamedTensors body,
      NamedTensors globalEmbeddings, Map<String, int[]> tokenBytes) {
    Map<String, List<int[]>> val = new TreeMap<>();
    blocksBySource(blocks, "val", sources).collect().forEach(t -> val.put(t._1(), t._2()));
    Map<String, Evaluator.Metrics> out = new TreeMap<>();
    for (String s : sources) {
      if (!val.containsKey(s)) {
        continue;
      }
      String tokenizer = tokenizerOf(s);
      DecoderLm lm = new DecoderLm(settings.model(), vocabSizes.get(tokenizer), settings.seqLen());
      NamedTensors embeddings = globalEmbeddings != null ? globalEmbeddings
          : store.readSourceState(s, Integer.MAX_VALUE).map(NamedTensors::fromBytes)
              .orElseGet(() -> lm.initEmbeddings(settings.seed() * 1_000_003L + s.hashCode() * 7919L));
      out.put(s, new Evaluator(lm, 16).evaluate(body, embeddings, val.get(s), tokenBytes.get(tokenizer)));
    }
    return out;
  }

  /** The initial body and embeddings of a run, for before/after comparisons. */
  public NamedTensors initialBody() {
    return new DecoderLm(settings.model(), 1, settings.seqLen()).initBody(settings.seed());
  }

  public NamedTensors initialGlobalEmbeddings() {
    return settings.policy().globalVocabulary()
        ? new DecoderLm(settings.model(), vocabSizes.get(VocabConfig.GLOBAL), settings.seqLen()).initEmbeddings(settings.seed())
        : null;
  }
}
