package dept.prep.pack;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;

import dept.prep.io.StreamingRows;
import dept.prep.tokenizer.VocabConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapFunction;
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

/**
 * The tokenize stage: encodes every document with its source's tokenizer (and the global one),
 * one encoder per tokenizer per task, then packs each (tokenizer, source, split) into fixed
 * blocks in doc_id order, a large group on several cores ({@link RangePacker}).
 */
public final class TokenizeJob {

  public static final StructType ENCODED_SCHEMA =
      new StructType()
          .add("tokenizer", DataTypes.StringType, false)
          .add("source", DataTypes.StringType, false)
          .add("split", DataTypes.StringType, false)
          .add("doc_id", DataTypes.StringType, false)
          .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
          .add("bytes", DataTypes.LongType, false);

  public static final StructType BLOCKS_SCHEMA =
      new StructType()
          .add("tokenizer", DataTypes.StringType, false)
          .add("source", DataTypes.StringType, false)
          .add("split", DataTypes.StringType, false)
          .add("block_id", DataTypes.LongType, false)
          .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType, false), false);

  /**
   * How blocks are written: each file in (split, block_id) order (the job's own order) with pages
   * of at most this many rows, so a training task that picks blocks by id decodes their pages only
   * (Parquet's column index), not its source's whole file.
   */
  public static final int ROWS_PER_PAGE = 32;

  public static final Map<String, String> BLOCK_WRITE_OPTIONS = Map.of(
      "parquet.page.row.count.limit", String.valueOf(ROWS_PER_PAGE),
      // The writer first looks at a page's size after this many rows (default 100): the first page too.
      "parquet.page.size.row.check.min", String.valueOf(ROWS_PER_PAGE));

  /** Encoded documents (persisted) and their blocks, sorted within partitions by tokenizer, source, split and block id. */
  public record Result(Dataset<Row> encoded, Dataset<Row> blocks) {
    public void release() {
      encoded.unpersist();
    }
  }

  private final SparkSession spark;
  private final TokenizeConfig config;

  public TokenizeJob(SparkSession spark, TokenizeConfig config) {
    this.spark = spark;
    this.config = config;
  }

  /**
   * @param documents the ingest stage's documents
   * @param tokenizers tokenizer.json text by name: every source's, and {@code global}
   */
  public Result run(Dataset<Row> documents, Map<String, String> tokenizers) {
    Broadcast<Map<String, String>> json = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(new HashMap<>(tokenizers));
    TokenizeConfig.Encoder kind = config.encoder();
    boolean withGlobal = config.withGlobal();
    Dataset<Row> encoded =
        documents
            .select("source", "split", "doc_id", "text", "bytes")
            .mapPartitions(
                (MapPartitionsFunction<Row, Row>) rows -> encodePartition(rows, json.value(), kind, withGlobal),
                Encoders.row(ENCODED_SCHEMA))
            .persist(StorageLevel.MEMORY_AND_DISK());
    return new Result(encoded, pack(encoded, config.seqLen()));
  }

  /** Whole blocks and fragments as {@link RangePacker} emits them. */
  private static final StructType PIECES_SCHEMA = BLOCKS_SCHEMA.add("start", DataTypes.IntegerType, false);

  /**
   * Packs every (tokenizer, source, split) group into the blocks a sequential pass over its
   * documents in doc_id order would make, on every core: the documents are range-partitioned by
   * (group, doc_id), so a large group spans several partitions; one job sums each partition's run
   * of each group (at most partitions + groups numbers reach the driver), which places every run
   * in its group's token stream; then each partition packs its runs, and the few blocks shared by
   * two runs are joined from their fragments.
   */
  private Dataset<Row> pack(Dataset<Row> encoded, int seqLen) {
    JavaRDD<Row> ranged =
        encoded
            .repartitionByRange(col("tokenizer"), col("source"), col("split"), col("doc_id"))
            .sortWithinPartitions("tokenizer", "source", "split", "doc_id")
            .toJavaRDD(); // one RDD: both packing passes read the same shuffle, in the same ranges
    RangePacker.Offsets offsets = offsets(ranged.mapPartitionsWithIndex(TokenizeJob::runLengths, false).collect());
    Broadcast<RangePacker.Offsets> placed = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(offsets);
    Dataset<Row> whole = pieces(ranged, placed, seqLen, true).drop("start");
    Dataset<Row> joined =
        pieces(ranged, placed, seqLen, false)
            .groupBy("tokenizer", "source", "split", "block_id")
            .agg(collect_list(col("start")).as("starts"), collect_list(col("tokens")).as("parts"))
            .map(
                (MapFunction<Row, Row>) r -> {
                  String group = RangePacker.group(r.getString(0), r.getString(1), r.getString(2));
                  List<int[]> parts =
                      r.<scala.collection.Seq<?>>getList(5).stream() // inner arrays stay Scala sequences
                          .map(p -> TokenArrays.ints(scala.jdk.javaapi.CollectionConverters.asJava(p)))
                          .toList();
                  int[] block = RangePacker.assemble(group, r.getLong(3), r.getList(4), parts, seqLen, placed.value().groupLengths());
                  return RowFactory.create(r.getString(0), r.getString(1), r.getString(2), r.getLong(3), TokenArrays.boxed(block));
                },
                Encoders.row(BLOCKS_SCHEMA));
    // Each task's file of a group then holds ascending block ids (what BlockFiles' page pruning relies on).
    return whole.union(joined).sortWithinPartitions("tokenizer", "source", "split", "block_id");
  }

  /** Tokens (with one end-of-document each) of every group's run in partition {@code index}. */
  private static Iterator<String[]> runLengths(int index, Iterator<Row> rows) {
    Map<String, Long> lengths = new java.util.LinkedHashMap<>();
    while (rows.hasNext()) {
      Row r = rows.next();
      lengths.merge(RangePacker.group(r.getString(0), r.getString(1), r.getString(2)), (long) r.getList(4).size() + 1, Long::sum);
    }
    List<String[]> out = new ArrayList<>();
    lengths.forEach((group, n) -> out.add(new String[] {String.valueOf(index), group, String.valueOf(n)}));
    return out.iterator();
  }

  /** Each run's start in its group's stream: the lengths of the group's runs in earlier partitions. */
  static RangePacker.Offsets offsets(List<String[]> runs) {
    Map<String, Long> starts = new HashMap<>();
    Map<String, Long> lengths = new HashMap<>();
    runs.stream()
        .sorted(java.util.Comparator.comparingInt(r -> Integer.parseInt(r[0])))
        .forEach(r -> {
          long before = lengths.getOrDefault(r[1], 0L);
          starts.put(RangePacker.run(Integer.parseInt(r[0]), r[1]), before);
          lengths.put(r[1], before + Long.parseLong(r[2]));
        });
    return new RangePacker.Offsets(starts, lengths);
  }

  private Dataset<Row> pieces(JavaRDD<Row> ranged, Broadcast<RangePacker.Offsets> placed, int seqLen, boolean wholeBlocks) {
    JavaRDD<Row> rows =
        ranged.mapPartitionsWithIndex(
            (index, it) -> {
              RangePacker packer = new RangePacker(seqLen, placed.value(), index, wholeBlocks);
              return new StreamingRows<>(it, packer::accept, packer::finish);
            },
            true);
    return spark.createDataFrame(rows, PIECES_SCHEMA);
  }

  private static Iterator<Row> encodePartition(
      Iterator<Row> rows, Map<String, String> json, TokenizeConfig.Encoder kind, boolean withGlobal) {
    Map<String, TokenEncoder> encoders = new HashMap<>();
    return new StreamingRows<Row, Row>(
        rows,
        r -> {
          String source = r.getString(0);
          List<String> names = withGlobal ? List.of(source, VocabConfig.GLOBAL) : List.of(source);
          List<Row> out = new ArrayList<>(names.size());
          for (String name : names) {
            String tokenizer = json.get(name);
            if (tokenizer == null) {
              throw new IllegalArgumentException("no tokenizer for '" + name + "': run the vocab stage on the same sources");
            }
            int[] ids = encoders.computeIfAbsent(name, n -> TokenEncoder.of(kind, tokenizer)).encode(r.getString(3));
            out.add(RowFactory.create(name, source, r.getString(1), r.getString(2), TokenArrays.boxed(ids), r.getLong(4)));
          }
          return out;
        },
        () -> {
          encoders.values().forEach(TokenEncoder::close);
          return List.of();
        });
  }

  /** Per tokenizer, source and split: documents, tokens, bytes and bytes per token. */
  public static Dataset<Row> compression(Dataset<Row> encoded) {
    return encoded
        .groupBy("tokenizer", "source", "split")
        .agg(count("doc_id").as("documents"), sum(size(col("tokens"))).as("tokens"), sum("bytes").as("bytes"))
        .withColumn("bytes_per_token", col("bytes").divide(col("tokens")))
        .orderBy("tokenizer", "source", "split");
  }

  /** Distinct global-vocabulary ids each source uses in its train split: TRIM's embedding rows. */
  public static Map<String, Long> globalRowsUsed(Dataset<Row> encoded) {
    Map<String, Long> out = new java.util.TreeMap<>();
    encoded
        .where(col("tokenizer").equalTo(VocabConfig.GLOBAL).and(col("split").equalTo("train")))
        .select(col("source"), explode(col("tokens")).as("token"))
        .groupBy("source")
        .agg(countDistinct("token"))
        .collectAsList()
        .forEach(r -> out.put(r.getString(0), r.getLong(1)));
    return out;
  }
}
