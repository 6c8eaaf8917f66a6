package dept.prep.ngram;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;

import dept.prep.pack.TokenArrays;
import dept.prep.tokenizer.SpecialTokens;
import dept.prep.tokenizer.VocabConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The ngrams stage: counts token n-grams (n = 2..max_n) in the train blocks of every f-gram set
 * (each source under its own tokenizer, and all sources under the global one), never across a
 * document's {@code <|eos|>} or into padding; selects the top-K f-grams per set with a stable id;
 * and measures how many validation positions the top-K cover. Each task counts its blocks into a
 * local table first, so only distinct keys and their counts are shuffled; keys are packed longs
 * when the vocabulary allows ({@link NgramKeys}), else arrays.
 */
public final class NgramJob {

  private static final org.apache.spark.sql.types.ArrayType INTS = DataTypes.createArrayType(DataTypes.IntegerType, false);

  public static final StructType NGRAMS_SCHEMA =
      new StructType().add("source", DataTypes.StringType, false).add("n", DataTypes.IntegerType, false)
          .add("ngram", INTS, false).add("count", DataTypes.LongType, false);

  public static final StructType FGRAMS_SCHEMA =
      new StructType().add("source", DataTypes.StringType, false).add("fgram_id", DataTypes.IntegerType, false)
          .add("n", DataTypes.IntegerType, false).add("ngram", INTS, false).add("count", DataTypes.LongType, false);

  public static final StructType COVERAGE_SCHEMA =
      new StructType().add("source", DataTypes.StringType, false).add("k", DataTypes.IntegerType, false)
          .add("fgrams", DataTypes.IntegerType, false).add("positions", DataTypes.LongType, false)
          .add("covered", DataTypes.LongType, false).add("coverage", DataTypes.DoubleType, false);

  private static final StructType PACKED_SCHEMA =
      new StructType().add("source", DataTypes.StringType, false).add("key", DataTypes.LongType, false)
          .add("count", DataTypes.LongType, false);

  private final SparkSession spark;
  private final NgramConfig config;

  public NgramJob(SparkSession spark, NgramConfig config) {
    this.spark = spark;
    this.config = config;
  }

  /** The f-gram set a block belongs to: its source under its own tokenizer, or {@code global}. */
  private static String setOf(Row block) {
    String tokenizer = block.getString(0);
    return tokenizer.equals(VocabConfig.GLOBAL) ? VocabConfig.GLOBAL : block.getString(1);
  }

  /**
   * N-gram counts >= min_count per set over the train split ({@link #NGRAMS_SCHEMA}).
   *
   * @param blocks the tokenize stage's blocks (tokenizer, source, split, block_id, tokens)
   * @param vocabSize the largest vocabulary among the tokenizers (sets the key width)
   */
  public Dataset<Row> count(Dataset<Row> blocks, int vocabSize) {
    int maxN = config.maxN();
    long minCount = config.minCount();
    Dataset<Row> train = blocks.where(col("split").equalTo("train")).select("tokenizer", "source", "tokens");
    if (NgramKeys.packable(vocabSize, maxN)) {
      NgramKeys keys = new NgramKeys(vocabSize);
      return train
          .mapPartitions((MapPartitionsFunction<Row, Row>) rows -> countPacked(rows, maxN, keys, PartialCounts.FLUSH_ENTRIES), Encoders.row(PACKED_SCHEMA))
          .groupBy("source", "key").agg(sum("count").as("count"))
          .where(col("count").geq(minCount))
          .map((MapFunction<Row, Row>) r -> unpackRow(r, keys), Encoders.row(NGRAMS_SCHEMA));
    }
    return train
        .mapPartitions((MapPartitionsFunction<Row, Row>) rows -> countArrays(rows, maxN, PartialCounts.FLUSH_ENTRIES), Encoders.row(NGRAMS_SCHEMA))
        .groupBy("source", "n", "ngram").agg(sum("count").as("count"))
        .where(col("count").geq(minCount))
        .select("source", "n", "ngram", "count");
  }

  /** For each position, how many of the n-grams starting there stay inside one document. */
  static int[] spans(int[] tokens, int maxN) {
    int[] span = new int[tokens.length];
    int run = 0;
    for (int i = tokens.length - 1; i >= 0; i--) {
      boolean boundary = tokens[i] == SpecialTokens.EOS_ID || tokens[i] == SpecialTokens.PAD_ID;
      run = boundary ? 0 : run + 1;
      span[i] = Math.min(run, maxN);
    }
    return span;
  }

  static Iterator<Row> countPacked(Iterator<Row> rows, int maxN, NgramKeys keys, int flushEntries) {
    return new PartialCounts(rows, maxN, flushEntries) {
      private final Map<String, LongCounts> bySet = new HashMap<>();

      @Override
      boolean add(String set, int[] tokens, int from, int n) {
        LongCounts counts = bySet.computeIfAbsent(set, s -> new LongCounts(1 << 16));
        int before = counts.size();
        counts.increment(keys.pack(tokens, from, n));
        return counts.size() > before;
      }

      @Override
      List<Row> drain(int entries) {
        List<Row> out = new ArrayList<>(entries);
        bySet.forEach((set, counts) -> counts.forEach((k, c) -> out.add(RowFactory.create(set, k, c))));
        bySet.clear();
        return out;
      }
    };
  }

  private static Row unpackRow(Row r, NgramKeys keys) {
    long key = r.getLong(1);
    int n = (64 - Long.numberOfLeadingZeros(key) + keys.bits() - 1) / keys.bits();
    return RowFactory.create(r.getString(0), n, TokenArrays.boxed(keys.unpack(key, n)), r.getLong(2));
  }

  static Iterator<Row> countArrays(Iterator<Row> rows, int maxN, int flushEntries) {
    return new PartialCounts(rows, maxN, flushEntries) {
      private final Map<String, HashMap<List<Integer>, long[]>> bySet = new HashMap<>();

      @Override
      boolean add(String set, int[] tokens, int from, int n) {
        HashMap<List<Integer>, long[]> counts = bySet.computeIfAbsent(set, s -> new HashMap<>());
        List<Integer> key = Arrays.stream(tokens, from, from + n).boxed().toList();
        long[] c = counts.get(key);
        if (c == null) {
          counts.put(key, new long[] {1});
          return true;
        }
        c[0]++;
        return false;
      }

      @Override
      List<Row> drain(int entries) {
        List<Row> out = new ArrayList<>(entries);
        bySet.forEach((set, counts) -> counts.forEach((k, c) -> out.add(RowFactory.create(set, k.size(), k.toArray(new Integer[0]), c[0]))));
        bySet.clear();
        return out;
      }
    };
  }

  /**
   * A partition's n-gram counts per f-gram set, emitted and cleared whenever they hold {@code
   * flushEntries} keys: a task's memory stays bounded however large its partition, and the
   * groupBy that follows adds up the partial counts.
   */
  abstract static class PartialCounts implements Iterator<Row> {

    static final int FLUSH_ENTRIES = 1 << 21;

    private final Iterator<Row> rows;
    private final int maxN;
    private final int flushEntries;
    private Iterator<Row> pending = java.util.Collections.emptyIterator();
    private int entries;

    PartialCounts(Iterator<Row> rows, int maxN, int flushEntries) {
      this.rows = rows;
      this.maxN = maxN;
      this.flushEntries = flushEntries;
    }

    /** Counts one n-gram of {@code set}; true when it is a new key. */
    abstract boolean add(String set, int[] tokens, int from, int n);

    /** Every key and count held as rows, then forgets them. */
    abstract List<Row> drain(int entries);

    @Override
    public boolean hasNext() {
      while (!pending.hasNext()) {
        if (!rows.hasNext()) {
          if (entries == 0) {
            return false;
          }
          flush();
          continue;
        }
        Row r = rows.next();
        String set = setOf(r);
        int[] tokens = TokenArrays.ints(r.getList(2));
        int[] span = spans(tokens, maxN);
        for (int i = 0; i < tokens.length; i++) {
          for (int n = 2; n <= span[i]; n++) {
            if (add(set, tokens, i, n)) {
              entries++;
            }
          }
        }
        if (entries >= flushEntries) {
          flush();
        }
      }
      return true;
    }

    private void flush() {
      pending = drain(entries).iterator();
      entries = 0;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException();
      }
      return pending.next();
    }
  }

  /**
   * The top-K f-grams per set ({@link #FGRAMS_SCHEMA}): by count, then shorter first, then by ids;
   * the rank is the f-gram id, so the same counts always give the same ids.
   */
  public Dataset<Row> select(Dataset<Row> ngrams) {
    var rank = Window.partitionBy("source").orderBy(col("count").desc(), col("n").asc(), col("ngram").asc());
    return ngrams
        .withColumn("fgram_id", row_number().over(rank).minus(1))
        .where(col("fgram_id").lt(config.topK()))
        .select(col("source"), col("fgram_id").cast("int"), col("n"), col("ngram"), col("count"));
  }

  /** The f-grams of every set, by id, collected for matchers. */
  public static Map<String, List<int[]>> collect(Dataset<Row> fgrams) {
    Map<String, TreeMap<Integer, int[]>> sets = new TreeMap<>();
    fgrams.collectAsList().forEach(r -> sets.computeIfAbsent(r.getString(0), s -> new TreeMap<>()).put(r.getInt(1), TokenArrays.ints(r.getList(3))));
    Map<String, List<int[]>> out = new TreeMap<>();
    sets.forEach((s, byId) -> out.put(s, new ArrayList<>(byId.values())));
    return out;
  }

  /**
   * Per set and K: the share of validation token positions (not padding) whose longest f-gram
   * among the top K has length >= 2.
   */
  public Dataset<Row> coverage(Dataset<Row> blocks, Map<String, List<int[]>> fgrams) {
    Broadcast<Map<String, List<int[]>>> sets = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(new HashMap<>(fgrams));
    List<Integer> ks = config.coverageK();
    StructType partial = new StructType().add("source", DataTypes.StringType).add("k", DataTypes.IntegerType)
        .add("positions", DataTypes.LongType).add("covered", DataTypes.LongType);
    Dataset<Row> counted = blocks.where(col("split").equalTo("val")).select("tokenizer", "source", "tokens")
        .mapPartitions((MapPartitionsFunction<Row, Row>) rows -> coverPartition(rows, sets.value(), ks), Encoders.row(partial))
        .groupBy("source", "k").agg(sum("positions").as("positions"), sum("covered").as("covered"));
    List<Row> rows = new ArrayList<>();
    for (Row r : counted.orderBy("source", "k").collectAsList()) {
      int size = Math.min(r.getInt(1), fgrams.getOrDefault(r.getString(0), List.of()).size());
      rows.add(RowFactory.create(r.getString(0), r.getInt(1), size, r.getLong(2), r.getLong(3), r.getLong(3) / (double) Math.max(1, r.getLong(2))));
    }
    return spark.createDataFrame(rows, COVERAGE_SCHEMA);
  }

  private static Iterator<Row> coverPartition(Iterator<Row> rows, Map<String, List<int[]>> sets, List<Integer> ks) {
    Map<String, FgramMatcher> matchers = new HashMap<>();
    Map<String, long[]> positions = new TreeMap<>();
    Map<String, long[]> covered = new TreeMap<>();
    while (rows.hasNext()) {
      Row r = rows.next();
      String set = setOf(r);
      List<int[]> list = sets.getOrDefault(set, List.of());
      FgramMatcher m = matchers.computeIfAbsent(set, s -> list.isEmpty() ? null : new FgramMatcher(list));
      int[] tokens = TokenArrays.ints(r.getList(2));
      long[] pos = positions.computeIfAbsent(set, s -> new long[ks.size()]);
      long[] cov = covered.computeIfAbsent(set, s -> new long[ks.size()]);
      for (int i = 0; i < tokens.length; i++) {
        if (tokens[i] == SpecialTokens.PAD_ID) {
          continue;
        }
        for (int k = 0; k < ks.size(); k++) {
          pos[k]++;
          if (m != null && m.longest(tokens, i, ks.get(k)) != FgramMatcher.NONE) {
            cov[k]++;
          }
        }
      }
    }
    List<Row> out = new ArrayList<>();
    positions.forEach((set, pos) -> {
      for (int k = 0; k < ks.size(); k++) {
        out.add(RowFactory.create(set, ks.get(k), pos[k], covered.get(set)[k]));
      }
    });
    return out.iterator();
  }

}
