package dept.train.ml;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dept.train.local.Batches;
import dept.train.local.LocalTrainer;
import dept.train.model.DecoderLm;
import dept.train.model.ModelParams;
import dept.train.scone.FgramEmbeddingStore;
import dept.train.scone.SconeTableReader;
import dept.train.scone.TableInput;
import java.util.List;

/**
 * One tokenizer's side of a trained model, opened on an executor: its decoder with the weights on
 * the device (the GPU when the executor has one), and a {@code +SCONE} model's lookup
 * table in host memory. Read-only once opened, so concurrent tasks score through one unit: each
 * forward pass keeps its intermediates in its own manager. (Tokenizers are not shared between
 * threads: {@link dept.prep.ml.ParsedTokenizers}.)
 */
final class ScoringUnit implements AutoCloseable {

  private final DecoderLm lm;
  private final NDManager root;
  private final ModelParams params;
  private final FgramEmbeddingStore table;

  ScoringUnit(String name, ScoringModel m) {
    var embeddings = m.weights().embeddings(name);
    DecoderLm decoder = new DecoderLm(m.weights().config(), DecoderLm.vocabSizeOf(embeddings), m.weights().seqLen());
    table = m.sconeTablesDir().isEmpty() ? null
        : SconeTableReader.loadFor(m.sconeTablesDir() + "/table=" + name, m.hadoop().get(), decoder.vocabSize(), decoder.config().dModel());
    lm = table == null ? decoder : decoder.withInput(new TableInput(table));
    root = NDManager.newBaseManager(LocalTrainer.device());
    params = new ModelParams(m.weights().body().with(embeddings), root, LocalTrainer.device(), false);
  }

  int seqLen() {
    return lm.seqLen();
  }

  /**
   * Nats summed over each block's targets and the targets counted, per block; with {@code hidden}
   * (B x C), also the final hidden states summed over the positions that predict a target.
   */
  void score(List<int[]> blocks, double[] nats, long[] tokens, float[] hidden) {
    try (NDManager step = root.newSubManager()) {
      NDArray ids = Batches.toArray(blocks.toArray(new int[0][]), step);
      DecoderLm.Scored scored = lm.scored(ids, params, step, null);
      DecoderLm.TokenLoss loss = scored.loss();
      float[] n = loss.nll().mul(loss.mask()).sum(new int[] {1}).toFloatArray();
      float[] t = loss.mask().sum(new int[] {1}).toFloatArray();
      for (int i = 0; i < n.length; i++) {
        nats[i] = n[i];
        tokens[i] = (long) t[i];
      }
      if (hidden != null) {
        float[] h = scored.hidden().mul(loss.mask().expandDims(-1)).sum(new int[] {1}).toFloatArray(); // (B, C)
        System.arraycopy(h, 0, hidden, 0, h.length);
      }
    }
  }

  @Override
  public void close() {
    params.close();
    root.close();
    if (table != null) {
      table.close();
    }
  }
}
