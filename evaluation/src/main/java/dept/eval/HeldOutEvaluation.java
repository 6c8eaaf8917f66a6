package dept.eval;

import dept.prep.pack.BlockPacker;
import dept.prep.tokenizer.BpeModel;
import dept.prep.tokenizer.BpeTokenizer;
import dept.train.scoring.LanguageModelScore;
import dept.train.scoring.ScoringBlocks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A trained model on a corpus it never saw: the texts are encoded with every tokenizer the model
 * has embeddings for (the global one, or each source's own for SPEC), packed like training blocks,
 * and scored in bits per byte (by {@code ScoringJob}, one unit per tokenizer); for an unseen source
 * the best tokenizer is the one to report.
 */
public final class HeldOutEvaluation {

  /** Blocks scored per tokenizer. */
  public static final int MAX_BLOCKS = 256;

  /** One (variant, tokenizer) score; {@code best} marks the variant's lowest bits per byte. */
  public record Score(String variant, String tokenizer, double bitsPerByte, double loss, long tokens, long bytes, boolean best) {}

  private HeldOutEvaluation() {}

  /** The texts packed into blocks of {@code seqLen + 1} tokens with each tokenizer (the first {@link #MAX_BLOCKS}), one unit per tokenizer. */
  public static Dataset<Row> blocks(SparkSession spark, int seqLen, Map<String, BpeTokenizer> tokenizers, List<String> texts) {
    Map<String, List<int[]>> blocks = new TreeMap<>();
    tokenizers.forEach((name, tokenizer) -> {
      BlockPacker packer = new BlockPacker(seqLen);
      List<int[]> packed = new ArrayList<>();
      for (String text : texts) {
        packed.addAll(packer.add(tokenizer.encode(text)));
      }
      packed.addAll(packer.finish());
      blocks.put(name, packed.size() > MAX_BLOCKS ? packed.subList(0, MAX_BLOCKS) : packed);
    });
    return ScoringBlocks.of(spark, blocks);
  }

  /** UTF-8 bytes per token id, per tokenizer. */
  public static Map<String, int[]> tokenBytes(Map<String, BpeTokenizer> tokenizers) {
    Map<String, int[]> out = new TreeMap<>();
    tokenizers.forEach((name, tokenizer) -> {
      BpeModel bpe = tokenizer.model();
      int[] bytes = new int[bpe.vocabSize()];
      for (int id = BpeModel.FIRST_BYTE_ID; id < bytes.length; id++) {
        bytes[id] = bpe.tokenBytes(id).length;
      }
      out.put(name, bytes);
    });
    return out;
  }

  /** The variant's score per tokenizer, its lowest bits per byte marked best. */
  public static List<Score> scores(String variant, SortedMap<String, LanguageModelScore> byTokenizer) {
    double best = byTokenizer.values().stream().mapToDouble(s -> s.metrics().bitsPerByte()).min().orElse(Double.NaN);
    List<Score> scores = new ArrayList<>();
    byTokenizer.forEach((tokenizer, s) -> scores.add(new Score(variant, tokenizer, s.metrics().bitsPerByte(), s.metrics().meanLoss(),
        s.metrics().tokens(), s.metrics().bytes(), s.metrics().bitsPerByte() == best)));
    return scores;
  }
}
