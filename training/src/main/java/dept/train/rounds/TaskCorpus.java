package dept.train.rounds;

import static org.apache.spark.sql.functions.col;

import dept.prep.pack.TokenArrays;
import dept.prep.tokenizer.VocabConfig;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * What a task knows of its data for the whole run, counted once in Spark without gathering the
 * blocks anywhere: how many train blocks each of its sources holds for its replica (block ids
 * congruent to it modulo the replicas: position p is block {@code replica + p * replicas}), and,
 * when the variant needs them, how often each token id occurs in them (TRIM's rows, RTD's
 * replacement draws). The blocks stay in the files; a round reads the ones it picks
 * ({@link RoundBlocks}).
 *
 * @param tokenCounts occurrences of each token id of {@code tokenizer} in the task's blocks; null when not needed
 * @param problem why the blocks cannot be read by position (ids not 0..n-1), else null
 */
record TaskCorpus(TaskKey key, String tokenizer, int replicas, TreeMap<String, Integer> blocks, long[] tokenCounts,
    String problem) implements Serializable {

  /** The id of the block at {@code position} of this task's share of a source. */
  long blockId(int position) {
    return key.replica() + (long) position * replicas;
  }

  List<String> sources() {
    return new ArrayList<>(blocks.keySet());
  }

  /** Block counts in source order. */
  int[] counts() {
    return blocks.values().stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * Every task's corpus, one Spark partition per task in {@link TaskKey} order (the round's
   * tasks run there), persisted for the run. Blocks whose ids are not 0..n-1 per source fail
   * here with the source named, not deep in a round.
   */
  static JavaPairRDD<TaskKey, TaskCorpus> of(Dataset<Row> blocks, RoundSetup setup, List<String> sources) {
    Variant variant = setup.variant();
    boolean mixture = variant.mixture();
    int replicas = setup.train().replicas();
    boolean countTokens = variant.rtd() || variant.policy().rowsFromData();
    TreeMap<String, String> tokenizers = new TreeMap<>(); // by task source (a source, or the mixture)
    TreeMap<String, Integer> vocab = new TreeMap<>();
    for (String s : mixture ? List.of(TaskKey.MIXTURE) : sources) {
      tokenizers.put(s, setup.tokenizerOf(s));
      vocab.put(s, countTokens ? setup.vocabSizes().get(setup.tokenizerOf(s)) : 0);
    }
    Dataset<Row> chosen = trainRows(blocks, variant, sources);
    List<TaskKey> keys = TaskKey.all(sources, mixture, replicas);
    // Without token counts only two small columns are read: the tokens stay in the files.
    Dataset<Row> columns = countTokens ? chosen.select("source", "block_id", "tokens") : chosen.select("source", "block_id");
    JavaPairRDD<TaskKey, TaskCorpus> corpora = columns.javaRDD()
        .mapToPair(r -> new Tuple2<>(
            new TaskKey(mixture ? TaskKey.MIXTURE : r.getString(0), (int) Math.floorMod(r.getLong(1), (long) replicas)), r))
        .combineByKey(
            r -> new Tally(vocab.get(mixture ? TaskKey.MIXTURE : r.getString(0))).add(r),
            Tally::add, Tally::merge, new SourcePartitioner(keys))
        .mapPartitionsToPair(it -> {
          List<Tuple2<TaskKey, TaskCorpus>> out = new ArrayList<>();
          it.forEachRemaining(t -> out.add(new Tuple2<>(t._1(), t._2().corpus(t._1(), tokenizers.get(t._1().source()), replicas))));
          return out.iterator();
        }, true)
        .persist(StorageLevel.MEMORY_AND_DISK());
    List<String> problems = new ArrayList<>();
    List<TaskKey> missing = new ArrayList<>(keys);
    corpora.map(t -> new Tuple2<>(t._1(), t._2().problem())).collect().forEach(t -> {
      missing.remove(t._1());
      if (t._2() != null) {
        problems.add(t._2());
      }
    });
    missing.forEach(k -> problems.add("task " + k + " has no train blocks under tokenizer " + tokenizers.get(k.source())
        + ": every source needs at least train.replicas = " + replicas + " of them"));
    if (!problems.isEmpty()) {
      corpora.unpersist();
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return corpora;
  }

  /** The train blocks of {@code sources} as {@code variant} encodes them (the global tokenizer, or each source's own). */
  static Dataset<Row> trainRows(Dataset<Row> blocks, Variant variant, List<String> sources) {
    return blocks.where(col("split").equalTo("train")
        .and(col("source").isin(sources.toArray()))
        .and(variant.globalVocabulary() ? col("tokenizer").equalTo(VocabConfig.GLOBAL) : col("tokenizer").equalTo(col("source"))));
  }

  /** Counts of one task's rows, summed where they are (Spark's map-side combine) before they move. */
  private static final class Tally implements Serializable {
    private final TreeMap<String, long[]> perSource = new TreeMap<>(); // {blocks, largest id, sum of ids}
    private final long[] tokens;
    private long outOfRange;

    Tally(int vocabSize) {
      this.tokens = vocabSize == 0 ? null : new long[vocabSize];
    }

    Tally add(Row r) {
      long[] s = perSource.computeIfAbsent(r.getString(0), k -> new long[] {0, -1, 0});
      s[0]++;
      s[1] = Math.max(s[1], r.getLong(1));
      s[2] += r.getLong(1);
      if (tokens != null) {
        for (int t : TokenArrays.ints(r.getList(2))) {
          if (t >= 0 && t < tokens.length) {
            tokens[t]++;
          } else {
            outOfRange++;
          }
        }
      }
      return this;
    }

    Tally merge(Tally o) {
      o.perSource.forEach((source, s) -> {
        long[] mine = perSource.computeIfAbsent(source, k -> new long[] {0, -1, 0});
        mine[0] += s[0];
        mine[1] = Math.max(mine[1], s[1]);
        mine[2] += s[2];
      });
      outOfRange += o.outOfRange;
      if (tokens != null) {
        for (int i = 0; i < tokens.length; i++) {
          tokens[i] += o.tokens[i];
        }
      }
      return this;
    }

    TaskCorpus corpus(TaskKey key, String tokenizer, int replicas) {
      TreeMap<String, Integer> counts = new TreeMap<>();
      List<String> problems = new ArrayList<>();
      perSource.forEach((source, s) -> {
        // Ids congruent to the replica are exactly replica + p * replicas for p < count when the
        // largest is the count-th and they sum as those do (a repeated id breaks the sum); the sum
        // is compared modulo 2^64, like any checksum.
        long c = s[0];
        long expectedMax = key.replica() + (c - 1) * replicas;
        long expectedSum = c * key.replica() + replicas * (c % 2 == 0 ? (c / 2) * (c - 1) : c * ((c - 1) / 2));
        if (s[1] != expectedMax || s[2] != expectedSum) {
          problems.add(String.format("the train blocks of source '%s' (tokenizer %s) are not numbered 0..n-1 once each (task %s"
              + " holds %d blocks, largest id %d, expected %d): re-run `dept tokenize`", source, tokenizer, key, c, s[1], expectedMax));
        } else if (s[0] > Integer.MAX_VALUE - 8) {
          problems.add(String.format("source '%s' holds %d train blocks for task %s: more than one task orders;"
              + " raise train.replicas", source, s[0], key));
        }
        counts.put(source, (int) Math.min(s[0], Integer.MAX_VALUE));
      });
      if (outOfRange > 0) {
        problems.add(String.format("task %s: %d tokens of its train blocks are outside tokenizer %s's %d ids: the blocks were"
            + " encoded with another tokenizer; re-run `dept tokenize`", key, outOfRange, tokenizer, tokens.length));
      }
      return new TaskCorpus(key, tokenizer, replicas, counts, tokens, problems.isEmpty() ? null : String.join("; ", problems));
    }
  }
}
