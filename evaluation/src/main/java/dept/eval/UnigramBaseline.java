package dept.eval;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.posexplode;

import dept.prep.tokenizer.SpecialTokens;
import dept.train.scoring.ValidationSample;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A unigram model of one source under one tokenizer: token frequencies counted on the source's
 * train blocks (add-one smoothed over the vocabulary), scored on the validation blocks the trainer
 * validates on. Dividing a model's perplexity by this one's gives unigram-normalised perplexity
 * (Roh et al., 2020), which, unlike plain perplexity, compares models whose tokenizers differ.
 */
public final class UnigramBaseline {

  private UnigramBaseline() {}

  /**
   * Nats per target token of the unigram model on the first {@code evalBlocks} validation blocks
   * (by block id; 0 = all) of {@code source} encoded with {@code tokenizer}; pad targets are not scored.
   */
  public static double loss(Dataset<Row> blocks, String source, String tokenizer, int vocabSize, int evalBlocks) {
    return loss(blocks, source, tokenizer, vocabSize, new ValidationSample(evalBlocks, 0), null);
  }

  /**
   * As {@link #loss(Dataset, String, String, int, int)} on the validation text {@code sample} picks
   * (the one the trainer validates on); {@code tokenBytes} (the tokenizer's bytes per id) is needed
   * for a whole-document sample.
   */
  public static double loss(Dataset<Row> blocks, String source, String tokenizer, int vocabSize, ValidationSample sample,
      int[] tokenBytes) {
    Dataset<Row> mine = blocks.where(col("source").equalTo(source).and(col("tokenizer").equalTo(tokenizer)));
    long[] counts = new long[vocabSize];
    long total = 0;
    for (Row r : mine.where(col("split").equalTo("train")).select(explode(col("tokens")).as("t")).groupBy("t").count().collectAsList()) {
      int token = r.getInt(0);
      if (token != SpecialTokens.PAD_ID && token >= 0 && token < vocabSize) {
        counts[token] += r.getLong(1);
        total += r.getLong(1);
      }
    }
    // The validation targets (every position but the first of each block), counted in Spark: the
    // driver receives at most one row per token id, however many blocks are scored.
    Dataset<Row> val = sample.select(mine.where(col("split").equalTo("val")).select(lit(source).as("unit"), col("block_id"), col("tokens")),
        tokenBytes == null ? Map.of() : Map.of(source, tokenBytes));
    double nats = 0;
    long scored = 0;
    for (Row r : val.select(posexplode(col("tokens")).as(new String[] {"pos", "t"})).where(col("pos").gt(0))
        .groupBy("t").count().orderBy("t").collectAsList()) {
      int token = r.getInt(0);
      if (token != SpecialTokens.PAD_ID) {
        nats -= r.getLong(1) * Math.log((counts[token] + 1.0) / (total + vocabSize));
        scored += r.getLong(1);
      }
    }
    if (scored == 0) {
      throw new IllegalArgumentException("no validation tokens for source " + source + " with tokenizer " + tokenizer);
    }
    return nats / scored;
  }
}
