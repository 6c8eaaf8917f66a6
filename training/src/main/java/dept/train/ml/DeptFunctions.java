package dept.train.ml;

import dept.prep.ml.BpeTokenizerModel;
import dept.prep.ml.TokenizerFunctions;
import dept.train.rounds.Variant;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A dept run's artefacts as SQL functions, registered by one call for a {@code %sql} paragraph:
 * <ul>
 *   <li>{@code dept_tokenize(text, source)}, {@code dept_detokenize(tokens, source)}: the run's
 *       tokenizers ({@link TokenizerFunctions});
 *   <li>{@code dept_bits_per_byte(text, source)}: the document's bits per byte under the variant's
 *       model, read as {@link DocumentScoringStage} reads it (its source's tokenizer for SPEC, else
 *       the global one; a {@code +SCONE} variant through its lookup tables);
 *   <li>{@code dept_embed(text, source)}: its mean final hidden state ({@code array<float>});
 *   <li>{@code dept_score(text, source)}: {@code struct<bits_per_byte, token_count, reason>}, the
 *       reason set when the others give null (null or empty text, no tokenizer for the source).
 * </ul>
 * Each executor opens the model once and shares it across tasks and queries ({@link OpenedModels}).
 */
public final class DeptFunctions {

  /** What {@code dept_score} returns. */
  public static final StructType SCORE = new StructType()
      .add("bits_per_byte", DataTypes.DoubleType, true)
      .add("token_count", DataTypes.LongType, true)
      .add("reason", DataTypes.StringType, true);

  private DeptFunctions() {}

  /**
   * Registers the functions over {@code runOutput} (a run's {@code run.output}) and {@code variant}'s
   * trained model ({@code train/<variant>/model}; e.g. {@code SPEC}, {@code SPEC+SCONE}).
   *
   * @throws IllegalArgumentException naming the variant when the run has no model for it
   */
  public static void register(SparkSession spark, String runOutput, String variant) {
    String root = runOutput.replaceAll("/+$", "");
    String dir = Variant.parse(variant).directory();
    String modelDir = root + "/train/" + dir + "/model";
    String tables = root + "/scone/" + dir + "/fgram_embeddings";
    if (!exists(spark, modelDir)) {
      throw new IllegalArgumentException(variant + ": no trained model at " + modelDir + ": run `dept train` first");
    }
    register(spark, root + "/tokenizers", modelDir, exists(spark, tables) ? tables : "");
  }

  /**
   * Registers the functions over explicit directories: a run's {@code tokenizers}, a trained
   * {@code model} and, for a {@code +SCONE} model, its {@code fgram_embeddings} (else empty).
   */
  public static void register(SparkSession spark, String tokenizersDir, String modelDir, String sconeTablesDir) {
    TokenizerFunctions.register(spark, BpeTokenizerModel.fromVocabRun(spark, tokenizersDir));
    ScoringModel model = ScoringModel.load(spark, modelDir, tokenizersDir, sconeTablesDir);
    spark.udf().register("dept_score", (UDF2<String, String, Row>) (text, source) -> {
      String reason = reasonOf(model, text, source);
      if (reason != null) {
        return RowFactory.create(null, null, reason);
      }
      DocumentScorer.Score s = scoreOne(model, text, source, false);
      return RowFactory.create(s.bitsPerByte(), s.tokens(), null);
    }, SCORE);
    spark.udf().register("dept_bits_per_byte", (UDF2<String, String, Double>) (text, source) ->
        reasonOf(model, text, source) != null ? null : scoreOne(model, text, source, false).bitsPerByte(), DataTypes.DoubleType);
    spark.udf().register("dept_embed", (UDF2<String, String, float[]>) (text, source) ->
        reasonOf(model, text, source) != null ? null : scoreOne(model, text, source, true).embedding(),
        DataTypes.createArrayType(DataTypes.FloatType, false));
  }

  private static String reasonOf(ScoringModel model, String text, String source) {
    return text == null ? "null text" : text.isEmpty() ? "empty text"
        : model.tokenizerFor(source) == null ? ScoringModel.noTokenizer(source, true) : null;
  }

  private static DocumentScorer.Score scoreOne(ScoringModel model, String text, String source, boolean embed) {
    try (DocumentScorer scorer = new DocumentScorer(model, 16, embed)) {
      return scorer.score(List.of(text), List.of(model.tokenizerFor(source))).get(0);
    }
  }

  private static boolean exists(SparkSession spark, String dir) {
    try {
      Path p = new Path(dir);
      return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p);
    } catch (IOException e) {
      throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
    }
  }
}
