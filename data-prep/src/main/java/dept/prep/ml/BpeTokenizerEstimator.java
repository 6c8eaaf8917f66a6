package dept.prep.ml;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dept.prep.tokenizer.BpeTokenizer;
import dept.prep.tokenizer.BpeTrainer;
import dept.prep.tokenizer.PreTokenizer;
import dept.prep.tokenizer.TokenizerJson;
import dept.prep.tokenizer.VocabJob;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Trains byte-level BPE tokenizers on a text column, as `dept vocab` does: one for all rows, or,
 * with {@code sourceCol} set, one per value of that column (DEPT's SPEC setting). Spark counts the
 * words (each task its rows); the merges are learnt on the driver from the counts, as in the
 * vocab stage. Gives a {@link BpeTokenizerModel}.
 */
public final class BpeTokenizerEstimator extends Estimator<BpeTokenizerModel> implements DefaultParamsWritable {

  private final String uid;
  private final Param<String> inputCol;
  private final Param<String> outputCol;
  private final Param<String> sourceCol;
  private final IntParam vocabSize;
  private final LongParam minPairCount;

  public BpeTokenizerEstimator() {
    this("bpeTokenizer_" + UUID.randomUUID().toString().substring(24));
  }

  public BpeTokenizerEstimator(String uid) {
    this.uid = uid;
    inputCol = new Param<>(this, "inputCol", "the text column");
    outputCol = new Param<>(this, "outputCol", "the token ids column the model adds (array<int>)");
    sourceCol = new Param<>(this, "sourceCol", "a string column naming each row's source: one tokenizer per source; empty: one for all rows");
    vocabSize = new IntParam(this, "vocabSize", "tokens per tokenizer: 3 specials + 256 bytes + merges", ParamValidators.gtEq(260));
    minPairCount = new LongParam(this, "minPairCount", "never merge a pair seen fewer times", ParamValidators.gtEq(1));
    setDefault(inputCol, "text");
    setDefault(outputCol, "tokens");
    setDefault(sourceCol, "");
    setDefault(vocabSize, 2048);
    setDefault(minPairCount, 2L);
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

  public IntParam vocabSize() {
    return vocabSize;
  }

  public LongParam minPairCount() {
    return minPairCount;
  }

  public BpeTokenizerEstimator setInputCol(String value) {
    set(inputCol, value);
    return this;
  }

  public BpeTokenizerEstimator setOutputCol(String value) {
    set(outputCol, value);
    return this;
  }

  public BpeTokenizerEstimator setSourceCol(String value) {
    set(sourceCol, value);
    return this;
  }

  public BpeTokenizerEstimator setVocabSize(int value) {
    set(vocabSize, value);
    return this;
  }

  public BpeTokenizerEstimator setMinPairCount(long value) {
    set(minPairCount, value);
    return this;
  }

  @Override
  public BpeTokenizerModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    String source = getOrDefault(sourceCol);
    Column sourceOf = source.isEmpty() ? lit(BpeTokenizerModel.ALL_ROWS) : col(source);
    Dataset<Row> rows = dataset.select(sourceOf.as("source"), col(getOrDefault(inputCol)).as("text"))
        .where(col("source").isNotNull().and(col("text").isNotNull()));
    Map<String, Map<String, Long>> counts = new TreeMap<>();
    // One (source, word) count per row reaches the driver: the vocab stage's trainer needs the table.
    VocabJob.wordCountsOf(rows).toLocalIterator().forEachRemaining(
        r -> counts.computeIfAbsent(r.getString(0), s -> new HashMap<>()).put(r.getString(1), r.getLong(2)));
    if (counts.isEmpty()) {
      throw new IllegalArgumentException(getOrDefault(inputCol) + ": no non-null text to train a tokenizer on");
    }
    Object size = getOrDefault(vocabSize);
    Object minCount = getOrDefault(minPairCount);
    Map<String, String> tokenizers = new TreeMap<>();
    counts.forEach((s, words) -> {
      BpeTrainer.Result trained = new BpeTrainer((Integer) size, (Long) minCount).fit(words);
      tokenizers.put(s, TokenizerJson.write(new BpeTokenizer(PreTokenizer.standard(), trained.model())));
    });
    BpeTokenizerModel model = new BpeTokenizerModel(uid, tokenizers);
    model.setInputCol(getOrDefault(inputCol)).setOutputCol(getOrDefault(outputCol)).setSourceCol(source);
    return model.setParent(this);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    StageColumns.require(schema, getOrDefault(inputCol), DataTypes.StringType, "inputCol");
    if (!getOrDefault(sourceCol).isEmpty()) {
      StageColumns.require(schema, getOrDefault(sourceCol), DataTypes.StringType, "sourceCol");
    }
    return StageColumns.adding(schema, getOrDefault(outputCol), StageColumns.TOKENS, "outputCol");
  }

  @Override
  public BpeTokenizerEstimator copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  @Override
  public String uid() {
    return uid;
  }

  /** MLlib's reader (params only), found by {@code Pipeline.load} through this static method. */
  public static MLReader<BpeTokenizerEstimator> read() {
    return new DefaultParamsReader<>();
  }

  public static BpeTokenizerEstimator load(String path) {
    return read().load(path);
  }
}
