package dept.eval;

import dept.prep.pack.BlockPacker;
import dept.prep.tokenizer.BpeModel;
import dept.prep.tokenizer.BpeTokenizer;
import dept.train.rounds.TrainedModel;
import dept.train.local.Evaluator;
import dept.train.model.DecoderLm;
import dept.train.params.NamedTensors;
import dept.train.scone.FgramEmbeddingStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A trained model on a corpus it never saw: the texts are encoded with every tokenizer the model
 * has embeddings for (the global one, or each source's own for SPEC), packed like training blocks,
 * and scored in bits per byte; for an unseen source the best tokenizer is the one to report.
 */
public final class HeldOutEvaluation {

  /** One (variant, tokenizer) score; {@code best} marks the variant's lowest bits per byte. */
  public record Score(String variant, String tokenizer, double bitsPerByte, double loss, long tokens, long bytes, boolean best) {}

  private HeldOutEvaluation() {}

  /** @param maxBlocks evaluate at most this many blocks per tokenizer (0 = all) */
  public static List<Score> evaluate(TrainedModel model, Map<String, BpeTokenizer> tokenizers, List<String> texts, int maxBlocks) {
    return evaluate(model, tokenizers, texts, maxBlocks, Map.of());
  }

  /**
   * As {@link #evaluate(TrainedModel, Map, List, int)}; a {@code +SCONE} model reads its inputs
   * from {@code tables} (its precomputed lookup table per tokenizer), as at deployment.
   */
  public static List<Score> evaluate(TrainedModel model, Map<String, BpeTokenizer> tokenizers, List<String> texts, int maxBlocks,
      Map<String, FgramEmbeddingStore> tables) {
    List<Score> scores = new ArrayList<>();
    for (Map.Entry<String, NamedTensors> e : model.embeddings().entrySet()) {
      BpeTokenizer tokenizer = tokenizers.get(e.getKey());
      if (tokenizer == null) {
        throw new IllegalArgumentException("no tokenizer named " + e.getKey() + " for the " + model.variant() + " model");
      }
      BlockPacker packer = new BlockPacker(model.seqLen());
      List<int[]> blocks = new ArrayList<>();
      for (String text : texts) {
        blocks.addAll(packer.add(tokenizer.encode(text)));
      }
      blocks.addAll(packer.finish());
      if (maxBlocks > 0 && blocks.size() > maxBlocks) {
        blocks = blocks.subList(0, maxBlocks);
      }
      BpeModel bpe = tokenizer.model();
      int[] tokenBytes = new int[bpe.vocabSize()];
      for (int id = BpeModel.FIRST_BYTE_ID; id < tokenBytes.length; id++) {
        tokenBytes[id] = bpe.tokenBytes(id).length;
      }
      DecoderLm lm = new DecoderLm(model.model(), bpe.vocabSize(), model.seqLen());
      if (model.scone() != null) {
        FgramEmbeddingStore table = tables.get(e.getKey());
        if (table == null) {
          throw new IllegalArgumentException(model.variant() + " reads SCONE inputs: no lookup table for " + e.getKey()
              + " (run `dept scone-precompute`)");
        }
        lm = SconeLookup.decoder(model, e.getKey(), table);
      }
      Evaluator.Metrics m = new Evaluator(lm, 16).evaluate(model.body(), e.getValue(), blocks, tokenBytes);
      scores.add(new Score(model.variant(), e.getKey(), m.bitsPerByte(), m.meanLoss(), m.tokens(), m.bytes(), false));
    }
    double best = scores.stream().mapToDouble(Score::bitsPerByte).min().orElse(Double.NaN);
    return scores.stream().map(s -> new Score(s.variant(), s.tokenizer(), s.bitsPerByte(), s.loss(), s.tokens(), s.bytes(),
        s.bitsPerByte() == best)).toList();
  }
}
