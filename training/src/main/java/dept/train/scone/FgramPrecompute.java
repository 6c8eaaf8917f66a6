package dept.train.scone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dept.train.local.LocalTrainer;
import dept.train.model.DecoderLm;
import dept.train.model.ModelConfig;
import dept.train.model.ModelParams;
import dept.train.params.NamedTensors;
import dept.train.params.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Runs the f-gram model over table keys to give each one the input embedding the trained model
 * would compute for it: a single token's row of {@code embed.wte}, an f-gram's f-gram-model output
 * (plus its last token's row in {@code add} mode). Keys are grouped by length and embedded
 * {@code batch} at a time on the task's device; the results come back to host memory.
 */
public final class FgramPrecompute {

  private final FgramModel model;
  private final int batch;

  public FgramPrecompute(SconeConfig scone, ModelConfig main) {
    this.model = new FgramModel(scone, main);
    this.batch = scone.precomputeBatch();
  }

  /**
   * @param inputs the trained input-side parameters of one tokenizer: {@code embed.wte} and {@code scone.*}
   * @param keys single tokens and f-grams, in any order
   * @param sink receives every key with its embedding (grouped by length, so not in input order)
   */
  public void run(NamedTensors inputs, Iterator<int[]> keys, BiConsumer<int[], float[]> sink) {
    List<int[]> all = new ArrayList<>();
    keys.forEachRemaining(all::add);
    all.sort(Comparator.<int[]>comparingInt(k -> k.length).thenComparing(Arrays::compare));
    Tensor wteHost = inputs.get(DecoderLm.EMBED + "wte");
    int d = (int) wteHost.shape()[1];
    try (NDManager root = NDManager.newBaseManager(LocalTrainer.device());
        ModelParams params = new ModelParams(inputs, root, LocalTrainer.device(), false)) {
      int from = 0;
      while (from < all.size()) {
        int n = all.get(from).length;
        int to = from;
        while (to < all.size() && all.get(to).length == n && to - from < batch) {
          to++;
        }
        List<int[]> group = all.subList(from, to);
        if (n == 1) {
          for (int[] k : group) {
            sink.accept(k, row(wteHost, k[0], d));
          }
        } else {
          try (NDManager step = params.manager().newSubManager()) {
            NDArray out = model.embed(FgramModel.idsArray(group, step), params.get(DecoderLm.EMBED + "wte"), params, step);
            float[] flat = out.toFloatArray();
            for (int i = 0; i < group.size(); i++) {
              float[] e = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
              if (model.scone().additive()) {
                float[] tok = row(wteHost, group.get(i)[n - 1], d);
                for (int j = 0; j < d; j++) {
                  e[j] = tok[j] + e[j];
                }
              }
              sink.accept(group.get(i), e);
            }
          }
        }
        from = to;
      }
    }
  }

  private static float[] row(Tensor wte, int token, int d) {
    if (token < 0 || token >= wte.shape()[0]) {
      throw new IllegalArgumentException("token id " + token + " is outside the vocabulary of " + wte.shape()[0]);
    }
    return Arrays.copyOfRange(wte.data(), token * d, (token + 1) * d);
  }
}
