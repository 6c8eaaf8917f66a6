package dept.eval;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;

import dept.prep.pack.TokenArrays;
import dept.prep.tokenizer.SpecialTokens;
import java.util.List;
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
    Dataset<Row> val = mine.where(col("split").equalTo("val")).orderBy("block_id");
    List<Row> rows = (evalBlocks > 0 ? val.limit(evalBlocks) : val).select("tokens").collectAsList();
    double nats = 0;
    long scored = 0;
    for (Row r : rows) {
      int[] block = TokenArrays.ints(r.getList(0));
      for (int i = 1; i < block.length; i++) {
        if (block[i] != SpecialTokens.PAD_ID) {
          nats -= Math.log((counts[block[i]] + 1.0) / (total + vocabSize));
          scored++;
        }
      }
    }
    if (scored == 0) {
      throw new IllegalArgumentException("no validation tokens for source " + source + " with tokenizer " + tokenizer);
    }
    return nats / scored;
  }
}
