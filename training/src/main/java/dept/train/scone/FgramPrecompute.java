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
 * (plus its last token's row in {@code add} mode). Keys of one length are embedded {@code batch}
 * at a time on the task's device (a {@link Session} per tokenizer); the results come back to host
 * memory.
 */
public final class FgramPrecompute {

  private final FgramModel model;
  private final int batch;

  public FgramPrecompute(SconeConfig scone, ModelConfig main) {
    this.model = new FgramModel(scone, main);
    this.batch = scone.precomputeBatch();
  }

  /** Keys per f-gram model call. */
  public int batch() {
    return batch;
  }

  /**
   * @param inputs the trained input-side parameters of one tokenizer: {@code embed.wte} and {@code scone.*}
   * @param keys single tokens and f-grams, in any order (all held in memory to be grouped by length)
   * @param sink receives every key with its embedding (grouped by length, so not in input order)
   */
  public void run(NamedTensors inputs, Iterator<int[]> keys, BiConsumer<int[], float[]> sink) {
    List<int[]> all = new ArrayList<>();
    keys.forEachRemaining(all::add);
    all.sort(Comparator.<int[]>comparingInt(k -> k.length).thenComparing(Arrays::compare));
    try (Session session = open(inputs)) {
      int from = 0;
      while (from < all.size()) {
        int n = all.get(from).length;
        int to = from;
        while (to < all.size() && all.get(to).length == n && to - from < batch) {
          to++;
        }
        session.embed(all.subList(from, to), sink);
        from = to;
      }
    }
  }

  /** A session over one tokenizer's parameters, placed on the task's device once for all its batches. */
  public Session open(NamedTensors inputs) {
    return new Session(inputs);
  }

  /** One tokenizer's parameters on the device; embeds batches of keys of one length. */
  public final class Session implements AutoCloseable {

    private final Tensor wteHost;
    private final int d;
    private final NDManager root;
    private final ModelParams params;

    private Session(NamedTensors inputs) {
      this.wteHost = inputs.get(DecoderLm.EMBED + "wte");
      this.d = (int) wteHost.shape()[1];
      this.root = NDManager.newBaseManager(LocalTrainer.device());
      this.params = new ModelParams(inputs, root, LocalTrainer.device(), false);
    }

    /**
     * Embeds keys that all have the same length (at most {@link #batch()} of them, one model call)
     * and hands each to {@code sink} in the order given.
     */
    public void embed(List<int[]> sameLength, BiConsumer<int[], float[]> sink) {
      int n = sameLength.get(0).length;
      if (n == 1) {
        for (int[] k : sameLength) {
          sink.accept(k, row(wteHost, k[0], d));
        }
        return;
      }
      try (NDManager step = params.manager().newSubManager()) {
        NDArray out = model.embed(FgramModel.idsArray(sameLength, step), params.get(DecoderLm.EMBED + "wte"), params, step);
        float[] flat = out.toFloatArray();
        for (int i = 0; i < sameLength.size(); i++) {
          float[] e = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
          if (model.scone().additive()) {
            float[] tok = row(wteHost, sameLength.get(i)[n - 1], d);
            for (int j = 0; j < d; j++) {
              e[j] = tok[j] + e[j];
            }
          }
          sink.accept(sameLength.get(i), e);
        }
      }
    }

    @Override
    public void close() {
      try (root) {
        params.close();
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
