package dept.prep.pack;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;

import dept.prep.tokenizer.VocabConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
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

/**
 * The tokenize stage: encodes every document with its source's tokenizer (and the global one),
 * one encoder per tokenizer per task, then packs each (tokenizer, source, split) into fixed
 * blocks in doc_id order.
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
    int seqLen = config.seqLen();
    Dataset<Row> blocks =
        encoded
            .repartition(col("tokenizer"), col("source"), col("split"))
            .sortWithinPartitions("tokenizer", "source", "split", "doc_id")
            .mapPartitions(
                (MapPartitionsFunction<Row, Row>) rows -> packPartition(rows, seqLen),
                Encoders.row(BLOCKS_SCHEMA))
            // Already in this order; saying so lets the writer keep it (and block ids ascend in each file).
            .sortWithinPartitions("tokenizer", "source", "split", "block_id");
    return new Result(encoded, blocks);
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

  private static Iterator<Row> packPartition(Iterator<Row> rows, int seqLen) {
    PartitionPacker packer = new PartitionPacker(seqLen);
    return new StreamingRows<>(rows, packer::accept, packer::finish);
  }

  /**
   * Packs the rows of one partition, sorted by (tokenizer, source, split, doc_id); each group
   * (all of it is in this partition) gets its own packer and block ids from 0.
   */
  private static final class PartitionPacker {
    private final int seqLen;
    private String[] group;
    private BlockPacker packer;
    private long nextBlock;

    PartitionPacker(int seqLen) {
      this.seqLen = seqLen;
    }

    List<Row> accept(Row r) {
      List<Row> out = new ArrayList<>();
      String[] key = {r.getString(0), r.getString(1), r.getString(2)};
      if (!java.util.Arrays.equals(group, key)) {
        out.addAll(finish());
        group = key;
        packer = new BlockPacker(seqLen);
        nextBlock = 0;
      }
      out.addAll(rows(packer.add(TokenArrays.ints(r.getList(4)))));
      return out;
    }

    List<Row> finish() {
      return packer == null ? List.of() : rows(packer.finish());
    }

    private List<Row> rows(List<int[]> blocks) {
      List<Row> out = new ArrayList<>(blocks.size());
      for (int[] b : blocks) {
        out.add(RowFactory.create(group[0], group[1], group[2], nextBlock++, TokenArrays.boxed(b)));
      }
      return out;
    }
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
