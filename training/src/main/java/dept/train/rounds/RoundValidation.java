package dept.train.rounds;

import dept.train.params.ShardPlan;
import dept.train.rtd.RtdModel;
import dept.train.scoring.ScoringBlocks;
import dept.train.scoring.ScoringJob;
import dept.train.scoring.UnigramCounts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * A run's per-source validation through the {@link ScoringJob}: each source's
 * {@link dept.train.scoring.ValidationSample} (whole documents within {@code eval_bytes}, or the
 * first {@code eval_blocks} blocks), scored on executors, one row per source
 * back on the driver. {@code +RTD} draws its replacements from the sample's unigram counts,
 * counted in Spark once per run.
 */
final class RoundValidation implements AutoCloseable {

  private static final int BATCH = 16;

  private final JavaSparkContext jsc;
  private final RoundSetup setup;
  private final Map<String, int[]> tokenBytes;
  private final Map<String, SourceSide> sides = new TreeMap<>();
  private final Dataset<Row> sample;
  private final Map<String, double[]> unigram = new TreeMap<>();

  RoundValidation(JavaSparkContext jsc, RoundSetup setup, Map<String, int[]> tokenBytes, Dataset<Row> blocks, List<String> sources) {
    this.jsc = jsc;
    this.setup = setup;
    this.tokenBytes = tokenBytes;
    Map<String, String> tokenizerOf = new TreeMap<>();
    for (String s : sources) {
      tokenizerOf.put(s, setup.tokenizerOf(s));
      sides.put(s, setup.side(s));
    }
    this.sample = setup.train().validationSample().select(ScoringBlocks.bySource(blocks, "val", tokenizerOf), tokenBytesBySource())
        .select("unit", "block_id", "tokens").persist(StorageLevel.MEMORY_AND_DISK());
    if (setup.variant().rtd()) {
      Map<String, Integer> vocab = new TreeMap<>();
      sides.forEach((s, side) -> vocab.put(s, side.vocabSize()));
      UnigramCounts.count(sample, vocab).forEach((s, counts) -> unigram.put(s, RtdModel.unigramCdf(counts)));
    }
  }

  /** With {@code train.local_validation}: each source's sample into the store, where its tasks read it (after the store is cleared). */
  void shareWithTasks() {
    if (setup.train().localValidation() && !setup.variant().mixture() && !setup.variant().rtd()) {
      LocalValidation.write(sample, tokenBytesBySource(), setup.storeRoot(), setup.hadoop());
    }
  }

  /** Each source's validation row after {@code round}, by source. */
  List<RunLog.ValidationRow> run(int round, DriverState state, Broadcast<Map<String, List<int[]>>> fgrams) {
    ShardPlan plan = state.plan(setup.train().shardBytes());
    ShardedBroadcast body = ShardedBroadcast.of(jsc, state.body, plan);
    ShardedBroadcast embeddings = ShardedBroadcast.of(jsc, state.embeddings, plan);
    try {
      return new ArrayList<>(new ScoringJob(BATCH).run(sample, 0,
          new ValidationScorer(sides, round, tokenBytesBySource(), body, embeddings, fgrams, unigram)).values());
    } finally {
      body.destroy();
      embeddings.destroy();
    }
  }

  private Map<String, int[]> tokenBytesBySource() {
    Map<String, int[]> bySource = new TreeMap<>();
    sides.keySet().forEach(s -> bySource.put(s, tokenBytes.get(setup.tokenizerOf(s))));
    return bySource;
  }

  @Override
  public void close() {
    sample.unpersist();
  }
}
