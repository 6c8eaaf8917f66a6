package dept.train.ml;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.udf;

import dept.prep.io.HadoopConfig;
import dept.prep.ml.StageColumns;
import dept.train.scone.FgramEmbeddingStore;
import dept.train.scone.SconeTableReader;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * SCONE's input embeddings as a Spark ML stage: token ids ({@code array<int>}, e.g. from the
 * tokenizer stage) -> one embedding per position ({@code array<array<float>>}, T x d), each the row
 * of the longest f-gram ending there, else of the token, read from the precomputed lookup table
 * ({@code scone/<variant>/fgram_embeddings/table=<tokenizer>}) as inference reads it. The table is
 * chosen per row by {@code sourceCol} (SPEC: each source's own) or fixed by {@code table}; each
 * executor loads a table once, off the heap, and serves every task from it. A row it cannot serve
 * (null tokens, no table for its source, a token outside the table) gets a null and a reason.
 */
public final class SconeEmbeddingStage extends Transformer implements DefaultParamsWritable {

  /** Loaded tables per executor JVM, by directory; empty when the directory holds no table. */
  private static final Map<String, Optional<FgramEmbeddingStore>> LOADED = new ConcurrentHashMap<>();

  private static final DataType EMBEDDINGS = DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.FloatType, false), false);
  private static final StructType SERVED = new StructType()
      .add("embeddings", EMBEDDINGS, true).add("reason", DataTypes.StringType, true);

  private final String uid;
  private final Param<String> tokensCol;
  private final Param<String> sourceCol;
  private final Param<String> table;
  private final Param<String> tablesDir;
  private final Param<String> outputCol;
  private final Param<String> reasonCol;

  public SconeEmbeddingStage() {
    this("sconeEmbedding_" + UUID.randomUUID().toString().substring(24));
  }

  public SconeEmbeddingStage(String uid) {
    this.uid = uid;
    tokensCol = new Param<>(this, "tokensCol", "the token ids column (array<int>)");
    sourceCol = new Param<>(this, "sourceCol", "the column naming each row's table (its source); empty: use `table`");
    table = new Param<>(this, "table", "the one table for every row when sourceCol is empty (e.g. global)");
    tablesDir = new Param<>(this, "tablesDir", "a variant's fgram_embeddings directory (holding table=<tokenizer>/)");
    outputCol = new Param<>(this, "outputCol", "the input embeddings column added (array<array<float>>, T x d)");
    reasonCol = new Param<>(this, "reasonCol", "the column added with why a row has no embeddings");
    setDefault(tokensCol, "tokens");
    setDefault(sourceCol, "");
    setDefault(table, "global");
    setDefault(outputCol, "input_embeddings");
    setDefault(reasonCol, "embed_reason");
  }

  public Param<String> tokensCol() {
    return tokensCol;
  }

  public Param<String> sourceCol() {
    return sourceCol;
  }

  public Param<String> table() {
    return table;
  }

  public Param<String> tablesDir() {
    return tablesDir;
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  public Param<String> reasonCol() {
    return reasonCol;
  }

  public SconeEmbeddingStage setTokensCol(String value) {
    set(tokensCol, value);
    return this;
  }

  public SconeEmbeddingStage setSourceCol(String value) {
    set(sourceCol, value);
    return this;
  }

  public SconeEmbeddingStage setTable(String value) {
    set(table, value);
    return this;
  }

  public SconeEmbeddingStage setTablesDir(String value) {
    set(tablesDir, value);
    return this;
  }

  public SconeEmbeddingStage setOutputCol(String value) {
    set(outputCol, value);
    return this;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    String source = getOrDefault(sourceCol);
    Column tableOf = source.isEmpty() ? lit(getOrDefault(table)) : col(source);
    String dir = getOrDefault(tablesDir);
    HadoopConfig hadoop = new HadoopConfig(dataset.sparkSession().sparkContext().hadoopConfiguration());
    UDF2<scala.collection.Seq<Integer>, String, Row> serve = (ids, name) -> served(ids, name, dir, hadoop);
    String tmp = "__" + uid + "_served";
    return dataset.withColumn(tmp, udf(serve, SERVED).apply(col(getOrDefault(tokensCol)), tableOf))
        .withColumn(getOrDefault(outputCol), col(tmp + ".embeddings"))
        .withColumn(getOrDefault(reasonCol), col(tmp + ".reason"))
        .drop(tmp);
  }

  private static Row served(scala.collection.Seq<Integer> ids, String name, String dir, HadoopConfig hadoop) {
    if (ids == null) {
      return RowFactory.create(null, "null tokens");
    }
    if (name == null) {
      return RowFactory.create(null, "null source");
    }
    Optional<FgramEmbeddingStore> store = LOADED.computeIfAbsent(dir + "/table=" + name, path -> {
      try {
        return Optional.of(SconeTableReader.load(path, hadoop.get()));
      } catch (IllegalArgumentException e) { // no such table: a reason per row, not a failed task
        return Optional.empty();
      }
    });
    if (store.isEmpty()) {
      return RowFactory.create(null, "no SCONE table for '" + name + "' in " + dir);
    }
    int[] tokens = new int[ids.size()];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = ids.apply(i);
    }
    if (tokens.length == 0) {
      return RowFactory.create(new float[0][], null);
    }
    FgramEmbeddingStore t = store.get();
    float[][] out = new float[tokens.length][];
    try {
      float[] flat = t.lookup(new int[][] {tokens});
      for (int i = 0; i < tokens.length; i++) {
        out[i] = Arrays.copyOfRange(flat, i * t.dim(), (i + 1) * t.dim());
      }
    } catch (IllegalArgumentException e) { // a token id outside the table's vocabulary
      return RowFactory.create(null, e.getMessage());
    }
    return RowFactory.create(out, null);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    if (!isDefined(tablesDir)) {
      throw new IllegalArgumentException("tablesDir: not set (a variant's scone/<variant>/fgram_embeddings)");
    }
    StageColumns.require(schema, getOrDefault(tokensCol), DataTypes.createArrayType(DataTypes.IntegerType), "tokensCol");
    if (!getOrDefault(sourceCol).isEmpty()) {
      StageColumns.require(schema, getOrDefault(sourceCol), DataTypes.StringType, "sourceCol");
    }
    for (Param<String> out : java.util.List.of(outputCol, reasonCol)) {
      if (Arrays.asList(schema.fieldNames()).contains(getOrDefault(out))) {
        throw new IllegalArgumentException(out.name() + ": output column '" + getOrDefault(out) + "' already exists");
      }
    }
    return schema.add(getOrDefault(outputCol), EMBEDDINGS, true).add(getOrDefault(reasonCol), DataTypes.StringType, true);
  }

  @Override
  public SconeEmbeddingStage copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  @Override
  public String uid() {
    return uid;
  }

  public static MLReader<SconeEmbeddingStage> read() {
    return new DefaultParamsReader<>();
  }

  public static SconeEmbeddingStage load(String path) {
    return read().load(path);
  }
}
