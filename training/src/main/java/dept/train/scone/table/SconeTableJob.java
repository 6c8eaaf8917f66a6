package dept.train.scone.table;

import dept.train.model.DecoderLm;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.size;

import dept.train.scone.SconeConfig;
import dept.train.scone.FgramPrecompute;
import dept.prep.io.AtomicOutput;
import dept.train.rounds.TrainedModel;
import dept.train.model.ModelConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
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
 * single token) is spread over tasks and sorted by (table, length) within each; each task streams
 * its keys through the trained f-gram model in batches inside {@code mapPartitions} (on its GPU
 * when the executor has one; {@link PartitionEmbedder}) and the rows are written as
 * {@code table=<tokenizer>/} Parquet partitions with 32 MiB row groups.
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
    Dataset<Row> keys = keys(model, fgrams, partitions);
    withEmbeddings(model, keys, rows -> {
      // No dictionary for the embedding floats: nearly every value is distinct, so Parquet would
      // build a dictionary of a whole page's floats only to fall back to plain encoding (most of
      // the job's time in a profile).
      AtomicOutput.writeParquet(rows, target, hadoop, Map.of("parquet.block.size", String.valueOf(ROW_GROUP_BYTES),
          "parquet.enable.dictionary#embedding.list.element", "false"), "table");
    });
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

  /**
   * Every key of every table of {@code model} ({@code table, ngram, n}): the usable f-grams and
   * each single token, spread over {@code partitions} tasks and sorted by (table, n, ngram) within
   * each, so a task streams one run of same-length keys at a time.
   */
  public Dataset<Row> keys(TrainedModel model, Dataset<Row> fgrams, int partitions) {
    SconeConfig scone = model.scone();
    if (scone == null) {
      throw new IllegalArgumentException(model.variant() + " has no SCONE inputs: only +SCONE variants have a table to precompute");
    }
    List<String> tables = new ArrayList<>(model.embeddings().keySet());
    List<Row> vocabRows = new ArrayList<>();
    for (String t : tables) {
      vocabRows.add(RowFactory.create(t, (long) DecoderLm.vocabSizeOf(model.embeddings().get(t))));
    }
    StructType vocabSchema = new StructType().add("table", DataTypes.StringType).add("vocab", DataTypes.LongType);
    Dataset<Row> tokens = spark.createDataFrame(vocabRows, vocabSchema)
        .selectExpr("table", "explode(sequence(0, cast(vocab as int) - 1)) as id")
        .selectExpr("table", "array(id) as ngram");
    Dataset<Row> fgramKeys = usable(fgrams, scone).where(col("table").isin(tables.toArray()));
    return fgramKeys.unionByName(tokens).repartition(partitions, col("table"), col("ngram"))
        .withColumn("n", size(col("ngram"))).sortWithinPartitions("table", "n", "ngram");
  }

  /**
   * Runs {@code action} on the rows ({@link #SCHEMA}) that embed {@code keys} with the model's
   * trained input parameters, broadcast for the action's duration.
   */
  public void withEmbeddings(TrainedModel model, Dataset<Row> keys, Consumer<Dataset<Row>> action) {
    Map<String, byte[]> inputs = new HashMap<>();
    model.embeddings().forEach((t, in) -> inputs.put(t, in.toBytes()));
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<Map<String, byte[]>> params = jsc.broadcast(inputs);
    SconeConfig scone = model.scone();
    ModelConfig main = model.model();
    try {
      action.accept(keys.mapPartitions(
          (MapPartitionsFunction<Row, Row>) it -> PartitionEmbedder.embed(it, new FgramPrecompute(scone, main), params.value()),
          Encoders.row(SCHEMA)));
    } finally {
      params.destroy();
    }
  }
}
