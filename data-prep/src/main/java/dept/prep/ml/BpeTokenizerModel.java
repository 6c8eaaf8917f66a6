package dept.prep.ml;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.udf;

import dept.prep.io.HadoopFiles;
import dept.prep.tokenizer.BpeTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Byte-level BPE tokenizers as a Spark ML stage: encodes a text column to an {@code array<int>}
 * column with one tokenizer, or with each row's source's tokenizer ({@code sourceCol}). A row it
 * cannot encode (null or empty text, a source it has no tokenizer for) gets null tokens and a
 * reason in {@code reasonCol}, never a failed task. Saved as MLlib metadata plus one HF {@code
 * tokenizer.json} per source ({@code tokenizers/source=<name>/tokenizer.json}), which `dept`
 * itself and HF tokenizers read.
 */
public final class BpeTokenizerModel extends Model<BpeTokenizerModel> implements MLWritable {

  /** The source key of a model trained without a source column. */
  static final String ALL_ROWS = "";

  private final String uid;
  private final Map<String, String> tokenizerJson;
  private final Param<String> inputCol;
  private final Param<String> outputCol;
  private final Param<String> sourceCol;
  private final Param<String> reasonCol;

  BpeTokenizerModel(String uid, Map<String, String> tokenizerJson) {
    this.uid = uid;
    this.tokenizerJson = new TreeMap<>(tokenizerJson);
    inputCol = new Param<>(this, "inputCol", "the text column");
    outputCol = new Param<>(this, "outputCol", "the token ids column added (array<int>)");
    sourceCol = new Param<>(this, "sourceCol", "the column naming each row's source; empty: the one tokenizer for all rows");
    reasonCol = new Param<>(this, "reasonCol", "the column added with why a row has no tokens (null when it has)");
    setDefault(inputCol, "text");
    setDefault(outputCol, "tokens");
    setDefault(sourceCol, "");
    setDefault(reasonCol, "tokenize_reason");
  }

  /** A model of the tokenizers a `dept vocab` run wrote, by source name (HF tokenizer.json text). */
  public static BpeTokenizerModel of(Map<String, String> tokenizerJsonBySource) {
    return new BpeTokenizerModel("bpeTokenizerModel_" + java.util.UUID.randomUUID().toString().substring(24), tokenizerJsonBySource);
  }

  /**
   * The tokenizers a `dept vocab` run wrote ({@code <run output>/tokenizers/<name>/tokenizer.json}:
   * each source's own and {@code global}), as a model keyed by name; set {@code sourceCol} to encode
   * each row with its source's tokenizer.
   */
  public static BpeTokenizerModel fromVocabRun(SparkSession spark, String tokenizersDir) {
    var hadoop = spark.sparkContext().hadoopConfiguration();
    Map<String, String> json = new TreeMap<>();
    try {
      Path dir = new Path(tokenizersDir);
      for (FileStatus s : dir.getFileSystem(hadoop).listStatus(dir)) {
        Path file = new Path(s.getPath(), "tokenizer.json");
        if (s.isDirectory() && file.getFileSystem(hadoop).exists(file)) {
          json.put(s.getPath().getName(), HadoopFiles.read(file.toString(), hadoop));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(tokenizersDir + ": cannot list the tokenizers: " + e.getMessage(), e);
    }
    if (json.isEmpty()) {
      throw new IllegalArgumentException(tokenizersDir + ": no <name>/tokenizer.json here (run `dept vocab` first)");
    }
    return of(json);
  }

  public Param<String> inputCol() {
    return inputCol;
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  public Param<String> sourceCol() {
    return sourceCol;
  }

  public Param<String> reasonCol() {
    return reasonCol;
  }

  public BpeTokenizerModel setInputCol(String value) {
    set(inputCol, value);
    return this;
  }

  public BpeTokenizerModel setOutputCol(String value) {
    set(outputCol, value);
    return this;
  }

  public BpeTokenizerModel setSourceCol(String value) {
    set(sourceCol, value);
    return this;
  }

  public BpeTokenizerModel setReasonCol(String value) {
    set(reasonCol, value);
    return this;
  }

  /** The sources this model has a tokenizer for ({@code ""} alone when trained without a source column). */
  public java.util.Set<String> sources() {
    return java.util.Collections.unmodifiableSet(tokenizerJson.keySet());
  }

  /** One source's tokenizer as HF {@code tokenizer.json} text. */
  public String tokenizerJson(String source) {
    String json = tokenizerJson.get(source);
    if (json == null) {
      throw new IllegalArgumentException("no tokenizer for source '" + source + "' (sources: " + tokenizerJson.keySet() + ")");
    }
    return json;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    String source = getOrDefault(sourceCol);
    Column sourceOf = source.isEmpty() ? lit(ALL_ROWS) : col(source);
    UserDefinedFunction encode = udf(encoder(broadcast(dataset)), ENCODED);
    String tmp = "__" + uid + "_encoded";
    return dataset.withColumn(tmp, encode.apply(col(getOrDefault(inputCol)), sourceOf))
        .withColumn(getOrDefault(outputCol), col(tmp + ".tokens"))
        .withColumn(getOrDefault(reasonCol), col(tmp + ".reason"))
        .drop(tmp);
  }

  /** The text of {@code tokensCol} decoded back by each row's tokenizer into {@code textCol}. */
  public Dataset<Row> decode(Dataset<?> dataset, String tokensCol, String textCol) {
    String source = getOrDefault(sourceCol);
    Column sourceOf = source.isEmpty() ? lit(ALL_ROWS) : col(source);
    Broadcast<Map<String, String>> json = broadcast(dataset);
    String id = uid;
    UDF2<scala.collection.Seq<Integer>, String, String> decode =
        (ids, s) -> ParsedTokenizers.decode(ParsedTokenizers.get(id, s, json.value()), ids);
    return dataset.withColumn(textCol, udf(decode, DataTypes.StringType).apply(col(tokensCol), sourceOf));
  }

  private static final StructType ENCODED = new StructType()
      .add("tokens", StageColumns.TOKENS, true).add("reason", DataTypes.StringType, true);

  private Broadcast<Map<String, String>> broadcast(Dataset<?> dataset) {
    return JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext()).broadcast(new TreeMap<>(tokenizerJson));
  }

  private UDF2<String, String, Row> encoder(Broadcast<Map<String, String>> json) {
    String id = uid;
    return (text, source) -> {
      if (text == null) {
        return RowFactory.create(null, "null text");
      }
      if (text.isEmpty()) {
        return RowFactory.create(null, "empty text");
      }
      BpeTokenizer t = ParsedTokenizers.get(id, source, json.value());
      if (t == null) {
        return RowFactory.create(null, source == null ? "null source" : "unknown source '" + source + "'");
      }
      return RowFactory.create(t.encode(text), null);
    };
  }

  @Override
  public StructType transformSchema(StructType schema) {
    StageColumns.require(schema, getOrDefault(inputCol), DataTypes.StringType, "inputCol");
    if (!getOrDefault(sourceCol).isEmpty()) {
      StageColumns.require(schema, getOrDefault(sourceCol), DataTypes.StringType, "sourceCol");
    }
    StructType out = StageColumns.adding(schema, getOrDefault(outputCol), StageColumns.TOKENS, "outputCol");
    return StageColumns.adding(out, getOrDefault(reasonCol), DataTypes.StringType, "reasonCol");
  }

  @Override
  public BpeTokenizerModel copy(ParamMap extra) {
    BpeTokenizerModel copy = new BpeTokenizerModel(uid, tokenizerJson);
    return copyValues(copy, extra).setParent(parent());
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  public static MLReader<BpeTokenizerModel> read() {
    return new Reader();
  }

  public static BpeTokenizerModel load(String path) {
    return read().load(path);
  }

  private static String directory(String source) {
    return "source=" + URLEncoder.encode(source, StandardCharsets.UTF_8);
  }

  /** MLlib's metadata (class, uid, params) plus each source's tokenizer.json. */
  private static final class Writer extends MLWriter {
    private final BpeTokenizerModel model;

    Writer(BpeTokenizerModel model) {
      this.model = model;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter$.MODULE$.saveMetadata(model, path, sparkSession());
      var hadoop = sparkSession().sparkContext().hadoopConfiguration();
      try {
        FileSystem fs = new Path(path).getFileSystem(hadoop);
        for (Map.Entry<String, String> e : model.tokenizerJson.entrySet()) {
          HadoopFiles.writeBytes(fs, new Path(path, "tokenizers/" + directory(e.getKey()) + "/tokenizer.json"),
              e.getValue().getBytes(StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(path + ": cannot write the tokenizers: " + e.getMessage(), e);
      }
    }
  }

  private static final class Reader extends MLReader<BpeTokenizerModel> {
    @Override
    public BpeTokenizerModel load(String path) {
      DefaultParamsReader.Metadata metadata =
          DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(), BpeTokenizerModel.class.getName());
      var hadoop = sparkSession().sparkContext().hadoopConfiguration();
      Map<String, String> json = new TreeMap<>();
      try {
        Path dir = new Path(path, "tokenizers");
        for (FileStatus s : dir.getFileSystem(hadoop).listStatus(dir)) {
          String name = s.getPath().getName();
          if (name.startsWith("source=")) {
            json.put(URLDecoder.decode(name.substring("source=".length()), StandardCharsets.UTF_8),
                HadoopFiles.read(new Path(s.getPath(), "tokenizer.json").toString(), hadoop));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(path + ": cannot read the tokenizers: " + e.getMessage(), e);
      }
      BpeTokenizerModel model = new BpeTokenizerModel(metadata.uid(), json);
      metadata.getAndSetParams(model, scala.Option.empty());
      return model;
    }
  }
}
