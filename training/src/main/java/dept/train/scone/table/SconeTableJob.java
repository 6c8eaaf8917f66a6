package dept.train.scone.table;

import dept.train.model.DecoderLm;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

import dept.train.scone.SconeConfig;
import dept.train.scone.FgramPrecompute;
import dept.prep.io.AtomicOutput;
import dept.prep.pack.TokenArrays;
import dept.train.rounds.TrainedModel;
import dept.train.model.ModelConfig;
import dept.train.params.NamedTensors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
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
 * {@code dept scone-precompute} as a Spark job: every key of every table the model has (each
 * tokenizer's usable f-grams, selected from the ngrams stage's output with Spark, and every
 * single token) is spread over tasks; each task runs the trained f-gram model over its keys in
 * batches inside {@code mapPartitions} (on its GPU when the executor has one) and the rows are
 * written as {@code table=<tokenizer>/} Parquet partitions with 32 MiB row groups.
 */
public final class SconeTableJob {

  public static final StructType SCHEMA = new StructType()
      .add("table", DataTypes.StringType, false)
      .add("ngram", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
      .add("n", DataTypes.IntegerType, false)
      .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), false);

  /** Row groups of 32 MiB: a store loads a table row group by row group; small enough to spread a table over tasks. */
  public static final int ROW_GROUP_BYTES = 32 << 20;

  /** What was written for one table. */
  public record TableStats(String table, long fgrams, long tokens, long rows) {}

  private final SparkSession spark;
  private final Configuration hadoop;

  public SconeTableJob(SparkSession spark, Configuration hadoop) {
    this.spark = spark;
    this.hadoop = hadoop;
  }

  /**
   * The usable f-grams of every set as the ngrams stage ranked them ({@code source, fgram_id, n,
   * ngram}): n <= max_n, the first {@code fgrams} by id; what {@link SconeConfig#usable} keeps.
   */
  public static Dataset<Row> usable(Dataset<Row> fgrams, SconeConfig scone) {
    Dataset<Row> shortEnough = fgrams.where(col("n").leq(scone.maxN()))
        .withColumn("rank", row_number().over(Window.partitionBy("source").orderBy("fgram_id")));
    if (scone.fgrams() > 0) {
      shortEnough = shortEnough.where(col("rank").leq(scone.fgrams()));
    }
    return shortEnough.select(col("source").as("table"), col("ngram"));
  }

  /**
   * Writes the table of {@code model} to {@code target} (one {@code table=} partition per
   * tokenizer) and returns the row counts per table.
   *
   * @param fgrams the ngrams stage's f-grams (source = the set's tokenizer name)
   */
  public List<TableStats> run(TrainedModel model, Dataset<Row> fgrams, String target, int partitions) {
    SconeConfig scone = model.scone();
    if (scone == null) {
      throw new IllegalArgumentException(model.variant() + " has no SCONE inputs: only +SCONE variants have a table to precompute");
    }
    List<String> tables = new ArrayList<>(model.embeddings().keySet());
    Map<String, byte[]> inputs = new TreeMap<>();
    List<Row> tokenRows = new ArrayList<>();
    for (String t : tables) {
      NamedTensors in = model.embeddings().get(t);
      inputs.put(t, in.toBytes());
      long vocab = DecoderLm.vocabSizeOf(in);
      tokenRows.add(RowFactory.create(t, vocab));
    }
    StructType vocabSchema = new StructType().add("table", DataTypes.StringType).add("vocab", DataTypes.LongType);
    Dataset<Row> tokens = spark.createDataFrame(tokenRows, vocabSchema)
        .selectExpr("table", "explode(sequence(0, cast(vocab as int) - 1)) as id")
        .selectExpr("table", "array(id) as ngram");
    Dataset<Row> fgramKeys = usable(fgrams, scone).where(col("table").isin(tables.toArray()));
    Dataset<Row> keys = fgramKeys.unionByName(tokens).repartition(partitions, col("table"), col("ngram"));

    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<Map<String, byte[]>> params = jsc.broadcast(new HashMap<>(inputs));
    ModelConfig main = model.model();
    try {
      Dataset<Row> rows = keys.mapPartitions(
          (MapPartitionsFunction<Row, Row>) it -> embedPartition(it, new FgramPrecompute(scone, main), params.value()),
          Encoders.row(SCHEMA));
      AtomicOutput.writeParquet(rows, target, hadoop, Map.of("parquet.block.size", String.valueOf(ROW_GROUP_BYTES)), "table");
    } finally {
      params.destroy();
    }
    List<TableStats> stats = new ArrayList<>();
    Dataset<Row> written = spark.read().parquet(target);
    for (Row r : written.groupBy("table").agg(
        org.apache.spark.sql.functions.sum(org.apache.spark.sql.functions.when(col("n").geq(2), lit(1)).otherwise(lit(0))).as("fgrams"),
        org.apache.spark.sql.functions.sum(org.apache.spark.sql.functions.when(col("n").equalTo(1), lit(1)).otherwise(lit(0))).as("tokens"),
        org.apache.spark.sql.functions.count(lit(1)).as("rows")).orderBy("table").collectAsList()) {
      stats.add(new TableStats(r.getString(0), r.getLong(1), r.getLong(2), r.getLong(3)));
    }
    return stats;
  }

  private static Iterator<Row> embedPartition(Iterator<Row> it, FgramPrecompute precompute, Map<String, byte[]> params) {
    Map<String, List<int[]>> byTable = new TreeMap<>();
    while (it.hasNext()) {
      Row r = it.next();
      byTable.computeIfAbsent(r.getString(0), t -> new ArrayList<>()).add(TokenArrays.ints(r.getList(1)));
    }
    List<Row> out = new ArrayList<>();
    byTable.forEach((table, keys) -> precompute.run(NamedTensors.fromBytes(params.get(table)), keys.iterator(),
        (key, embedding) -> out.add(RowFactory.create(table, TokenArrays.boxed(key), key.length, boxed(embedding)))));
    return out.iterator();
  }

  private static Float[] boxed(float[] v) {
    Float[] out = new Float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }
}
