package dept.eval;

import dept.prep.pack.BlockPacker;
import dept.prep.pack.TokenArrays;
import dept.prep.tokenizer.BpeModel;
import dept.prep.tokenizer.BpeTokenizer;
import dept.prep.tokenizer.TokenizerJson;
import dept.train.scoring.LanguageModelScore;
import dept.train.scoring.ScoringBlocks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * A trained model on a corpus it never saw: the texts are encoded with every tokenizer the model
 * has embeddings for (the global one, or each source's own for SPEC) and packed like training
 * blocks in executor tasks,
 * and scored in bits per byte (by {@code ScoringJob}, one unit per tokenizer); for an unseen source
 * the best tokenizer is the one to report.
 */
public final class HeldOutEvaluation {

  /** Blocks scored per tokenizer. */
  public static final int MAX_BLOCKS = 256;

  /** One (variant, tokenizer) score; {@code best} marks the variant's lowest bits per byte. */
  public record Score(String variant, String tokenizer, double bitsPerByte, double loss, long tokens, long bytes, boolean best) {}

  private HeldOutEvaluation() {}

  /**
   * The texts packed into blocks of {@code seqLen + 1} tokens with each tokenizer, in executor
   * tasks: each partition packs its documents in the order it holds them (file order), a block's id
   * is (partition, index), and {@link dept.train.scoring.ScoringJob} scores the first
   * {@link #MAX_BLOCKS} per tokenizer; so no partition encodes past its first {@link #MAX_BLOCKS}.
   *
   * @param texts {@code text}: the corpus in file order
   * @param tokenizerJson each tokenizer's {@code tokenizer.json}, by name
   * @return one unit per tokenizer ({@link ScoringBlocks#SCHEMA})
   */
  public static Dataset<Row> blocks(Dataset<Row> texts, int seqLen, Map<String, String> tokenizerJson) {
    return blocks(texts, seqLen, tokenizerJson, MAX_BLOCKS);
  }

  /** As {@link #blocks(Dataset, int, Map)}, each partition packing at most {@code maxBlocks} per tokenizer. */
  public static Dataset<Row> blocks(Dataset<Row> texts, int seqLen, Map<String, String> tokenizerJson, int maxBlocks) {
    Map<String, String> json = new TreeMap<>(tokenizerJson);
    JavaRDD<Row> rows = texts.select("text").javaRDD().mapPartitions(docs -> {
      long partition = TaskContext.getPartitionId();
      Map<String, BpeTokenizer> open = new TreeMap<>(); // tokenizers that still need blocks
      Map<String, BlockPacker> packers = new TreeMap<>();
      Map<String, List<int[]>> packed = new TreeMap<>();
      json.forEach((name, j) -> {
        open.put(name, TokenizerJson.read(j));
        packers.put(name, new BlockPacker(seqLen));
        packed.put(name, new ArrayList<>());
      });
      while (docs.hasNext() && !open.isEmpty()) {
        String text = docs.next().getString(0);
        open.forEach((name, t) -> packed.get(name).addAll(packers.get(name).add(t.encode(text))));
        open.keySet().removeIf(name -> packed.get(name).size() >= maxBlocks);
      }
      List<Row> out = new ArrayList<>();
      packed.forEach((name, blocks) -> {
        blocks.addAll(packers.get(name).finish());
        for (int i = 0; i < Math.min(blocks.size(), maxBlocks); i++) {
          out.add(RowFactory.create(name, partition << 32 | i, TokenArrays.boxed(blocks.get(i))));
        }
      });
      return out.iterator();
    });
    return texts.sparkSession().createDataFrame(rows, ScoringBlocks.SCHEMA);
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
