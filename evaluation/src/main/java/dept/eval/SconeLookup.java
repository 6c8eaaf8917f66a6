package dept.eval;

import dept.train.rounds.TrainedModel;
import dept.train.local.Evaluator;
import dept.train.model.DecoderLm;
import dept.train.scone.FgramEmbeddingStore;
import dept.train.scone.TableInput;
import java.util.List;

/**
 * SCONE at inference: a {@code +SCONE} model scored with its precomputed lookup table instead of
 * its f-gram model, so the evaluation reads exactly what deployment would. The f-gram model is not
 * run; only the table (host memory) and the main model are.
 */
public final class SconeLookup {

  /** One source's validation through the table, next to the f-gram model's figure from training. */
  public record Row(String variant, String source, String tokenizer, double bitsPerByteLookup, double bitsPerByteFgramModel,
      long tableRows, long tableFgrams, long tableBytes, double lookupMicrosPerToken) {}

  private SconeLookup() {}

  /** The model as deployment runs it: main model, input rows from {@code table}. */
  public static DecoderLm decoder(TrainedModel model, String tokenizer, FgramEmbeddingStore table) {
    int vocab = (int) model.embeddings().get(tokenizer).get(DecoderLm.EMBED + "wte").shape()[0];
    if (table.vocabSize() != vocab || table.dim() != model.model().dModel()) {
      throw new IllegalArgumentException("the SCONE table of " + tokenizer + " has " + table.vocabSize() + " tokens x " + table.dim()
          + " but the " + model.variant() + " model has " + vocab + " x " + model.model().dModel() + ": run `dept scone-precompute` again");
    }
    return new DecoderLm(model.model(), vocab, model.seqLen()).withInput(new TableInput(table));
  }

  /**
   * @param fgramModelBpb the source's last validation bits per byte from training (f-gram model inputs)
   */
  public static Row evaluate(TrainedModel model, String source, String tokenizer, FgramEmbeddingStore table, List<int[]> blocks,
      int[] tokenBytes, double fgramModelBpb) {
    Evaluator.Metrics m = new Evaluator(decoder(model, tokenizer, table), 16)
        .evaluate(model.body(), model.embeddings().get(tokenizer), blocks, tokenBytes);
    return new Row(model.variant(), source, tokenizer, m.bitsPerByte(), fgramModelBpb, table.rows(), table.fgrams(), table.bytes(),
        lookupMicrosPerToken(table, blocks));
  }

  /** Host-side lookup time per position (probes + row copy), over the blocks a few times after a warm-up. */
  static double lookupMicrosPerToken(FgramEmbeddingStore table, List<int[]> blocks) {
    int[][] batch = blocks.toArray(new int[0][]);
    long positions = 0;
    table.lookup(batch);
    long start = System.nanoTime();
    for (int r = 0; r < 5; r++) {
      table.lookup(batch);
      positions += (long) batch.length * batch[0].length;
    }
    return (System.nanoTime() - start) / 1e3 / Math.max(1, positions);
  }
}
