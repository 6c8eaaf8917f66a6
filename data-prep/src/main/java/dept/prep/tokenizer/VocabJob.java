package dept.prep.tokenizer;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vocab stage: Spark counts pre-tokenized words per source over the train split (each task
 * aggregates its documents locally first); the driver then trains one BPE tokenizer per source and
 * one global tokenizer on the temperature-weighted union, several at a time on its cores.
 */
public final class VocabJob {

  private static final Logger LOG = LoggerFactory.getLogger(VocabJob.class);

  public static final StructType WORD_COUNTS_SCHEMA =
      new StructType()
          .add("source", DataTypes.StringType, false)
          .add("word", DataTypes.StringType, false)
          .add("count", DataTypes.LongType, false);

  public static final StructType VOCAB_SCHEMA =
      new StructType()
          .add("tokenizer", DataTypes.StringType, false)
          .add("token_id", DataTypes.IntegerType, false)
          .add("token", DataTypes.StringType, false)
          .add("token_bytes", DataTypes.BinaryType, false)
          .add("count", DataTypes.LongType, false);

  /** The trained tokenizers by name (sources, then {@link VocabConfig#GLOBAL}) and their counts. */
  public record Result(Map<String, BpeTrainer.Result> tokenizers, Map<String, Long> sourceBytes) {}

  private final SparkSession spark;
  private final VocabConfig config;

  public VocabJob(SparkSession spark, VocabConfig config) {
    this.spark = spark;
    this.config = config;
  }

  /** Word counts per source over the {@code train} split of {@code documents}. */
  public Dataset<Row> wordCounts(Dataset<Row> documents) {
    return wordCountsOf(documents.where(col("split").equalTo("train")).select("source", "text"));
  }

  /** Word counts ({@link #WORD_COUNTS_SCHEMA}) per source of (source, text) rows: each task counts its rows, Spark sums. */
  public static Dataset<Row> wordCountsOf(Dataset<Row> sourceAndText) {
    String pattern = PreTokenizer.DEFAULT_PATTERN;
    return sourceAndText
        .mapPartitions(
            (MapPartitionsFunction<Row, Row>) rows -> countPartition(rows, pattern),
            Encoders.row(WORD_COUNTS_SCHEMA))
        .groupBy("source", "word")
        .agg(sum("count").as("count"));
  }

  private static Iterator<Row> countPartition(Iterator<Row> rows, String pattern) {
    PreTokenizer pre = new PreTokenizer(pattern);
    Map<String, WordCounter> bySource = new HashMap<>();
    while (rows.hasNext()) {
      Row r = rows.next();
      bySource.computeIfAbsent(r.getString(0), s -> new WordCounter(pre)).add(r.getString(1));
    }
    List<Row> out = new ArrayList<>();
    bySource.forEach((s, c) -> c.counts().forEach((w, n) -> out.add(RowFactory.create(s, w, n))));
    return out.iterator();
  }

  /** Trains every tokenizer from the documents' train split. */
  public Result fit(Dataset<Row> documents) {
    Dataset<Row> counts = wordCounts(documents).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Map<String, Long> bytes = new TreeMap<>();
      for (Row r : documents.where(col("split").equalTo("train")).groupBy("source").agg(sum("bytes")).collectAsList()) {
        bytes.put(r.getString(0), r.getLong(1));
      }
      if (bytes.containsKey(VocabConfig.GLOBAL)) {
        throw new IllegalArgumentException("a source is named '" + VocabConfig.GLOBAL + "', the global tokenizer's name");
      }
      Map<String, Map<String, Long>> tables = new LinkedHashMap<>();
      for (String source : bytes.keySet()) {
        tables.put(source, collect(counts.where(col("source").equalTo(source))));
      }
      tables.put(VocabConfig.GLOBAL, globalCounts(tables, bytes));
      Map<String, BpeTrainer.Result> trained = new ConcurrentHashMap<>();
      tables.entrySet().parallelStream().forEach(e -> {
        long t0 = System.nanoTime();
        int size = e.getKey().equals(VocabConfig.GLOBAL) ? config.globalVocabSize() : config.vocabSizeOf(e.getKey());
        BpeTrainer.Result r = new BpeTrainer(size, config.minPairCount()).fit(e.getValue());
        trained.put(e.getKey(), r);
        LOG.info("vocab: {} -> {} tokens from {} distinct words in {} s", e.getKey(), r.model().vocabSize(),
            e.getValue().size(), String.format("%.1f", (System.nanoTime() - t0) / 1e9));
      });
      Map<String, BpeTrainer.Result> ordered = new LinkedHashMap<>();
      tables.keySet().forEach(k -> ordered.put(k, trained.get(k)));
      return new Result(ordered, bytes);
    } finally {
      counts.unpersist();
    }
  }

  private static Map<String, Long> collect(Dataset<Row> counts) {
    Map<String, Long> out = new HashMap<>();
    counts.toLocalIterator().forEachRemaining(r -> out.put(r.getString(1), r.getLong(2)));
    return out;
  }

  /**
   * The union of the sources' word counts, each source weighted so that its share of the counts is
   * proportional to bytes^t; scaled so the least-weighted source keeps its counts.
   */
  public static Map<String, Long> globalCounts(
      Map<String, Map<String, Long>> tables, Map<String, Long> bytes, double t) {
    double total = bytes.values().stream().mapToDouble(Long::doubleValue).sum();
    double tempered = bytes.values().stream().mapToDouble(b -> Math.pow(b, t)).sum();
    Map<String, Double> weight = new TreeMap<>();
    bytes.forEach((s, b) -> weight.put(s, (Math.pow(b, t) / tempered) / (b / total)));
    double min = weight.values().stream().mapToDouble(Double::doubleValue).min().orElse(1);
    Map<String, Double> sums = new HashMap<>();
    tables.forEach((s, words) -> {
      double w = weight.get(s) / min;
      words.forEach((word, n) -> sums.merge(word, n * w, Double::sum));
    });
    return sums.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> Math.round(e.getValue())));
  }

  private Map<String, Long> globalCounts(Map<String, Map<String, Long>> tables, Map<String, Long> bytes) {
    return globalCounts(tables, bytes, config.globalTemperature());
  }

  /**
   * The vocabulary table of every tokenizer ({@link #VOCAB_SCHEMA}). The rows are made on the
   * driver, which holds the trained models, and travel to one task per tokenizer as a broadcast:
   * a table built from a driver-side list would ride inside the task itself (megabytes per task).
   */
  public Dataset<Row> vocabTable(Result result) {
    HashMap<String, ArrayList<Row>> rows = new HashMap<>();
    result.tokenizers().forEach((name, r) -> {
      BpeModel m = r.model();
      ArrayList<Row> table = new ArrayList<>(m.vocabSize());
      for (int id = 0; id < m.vocabSize(); id++) {
        table.add(RowFactory.create(name, id, TokenizerJson.symbol(m, id), m.tokenBytes(id), r.tokenCounts()[id]));
      }
      rows.put(name, table);
    });
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<HashMap<String, ArrayList<Row>>> shared = jsc.broadcast(rows);
    List<String> names = new ArrayList<>(result.tokenizers().keySet());
    return spark.createDataFrame(
        jsc.parallelize(names, Math.max(1, names.size())).flatMap(name -> shared.value().get(name).iterator()), VOCAB_SCHEMA);
  }
}
