package dept.train.scone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dept.train.model.InputEmbedder;
import dept.train.model.ModelConfig;
import dept.train.model.TransformerBlocks;
import dept.train.model.Weights;
import dept.train.params.NamedTensors;
import dept.train.params.Tensor;
import java.util.TreeMap;

/**
 * SCONE's f-gram model (arXiv 2502.01637): the main model's block design without a token-embedding
 * layer of its own. It reads the shared token rows {@code embed.wte} of an f-gram's tokens, adds
 * its own position embeddings (max position = max_n), runs its causal blocks and returns the last
 * position's hidden state as the f-gram's input embedding. Its parameters are {@code scone.*}.
 *
 * <p>With {@code train.scone.final_norm} (the default) the last hidden state goes through the
 * model's own final LayerNorm {@code scone.lnf}, as the main model's does: the paper replicates
 * the baseline architecture without its token-embedding layer. Without it the output is the raw
 * residual stream, which starts as the last token's row plus small block contributions (on the
 * scale of the token rows it stands in for rather than unit variance); the study ablates the two.
 */
public final class FgramModel {

  public static final String PREFIX = "scone.";

  private final SconeConfig scone;
  private final ModelConfig main;
  private final ModelConfig own;
  private final TransformerBlocks blocks;

  public FgramModel(SconeConfig scone, ModelConfig main) {
    this.scone = scone;
    this.main = main;
    this.own = scone.fgramModel(main);
    this.blocks = new TransformerBlocks(own, PREFIX);
  }

  public SconeConfig scone() {
    return scone;
  }

  private boolean projected() {
    return !own.dModel().equals(main.dModel());
  }

  /** Fresh {@code scone.*} parameters, seeded per name. */
  public NamedTensors init(long seed) {
    int d = main.dModel();
    int f = own.dModel();
    TreeMap<String, Tensor> t = new TreeMap<>();
    t.put(PREFIX + "wpe", TransformerBlocks.normal(seed, PREFIX + "wpe", 0.02, scone.maxN(), f));
    if (projected()) {
      t.put(PREFIX + "in.w", TransformerBlocks.normal(seed, PREFIX + "in.w", 1 / Math.sqrt(d), d, f));
      t.put(PREFIX + "out.w", TransformerBlocks.normal(seed, PREFIX + "out.w", 1 / Math.sqrt(f), f, d));
    }
    blocks.init(t, seed);
    if (!scone.finalNorm()) {
      t.remove(PREFIX + "lnf.g");
      t.remove(PREFIX + "lnf.b");
    }
    return new NamedTensors(t);
  }

  /** Parameters of the f-gram model (for memory and FLOP accounting). */
  public long parameterCount() {
    return init(0).parameterCount();
  }

  /**
   * Embeddings (F, d_model) of F f-grams of one length n, given as int64 token ids (F, n).
   *
   * @param wte the token rows the f-gram's ids index (the source's, or TRIM's local rows)
   */
  public NDArray embed(NDArray fgramIds, NDArray wte, Weights w, NDManager step) {
    long n = fgramIds.getShape().get(1);
    if (n > scone.maxN()) {
      throw new IllegalArgumentException("an f-gram of " + n + " tokens is longer than train.scone.max_n = " + scone.maxN());
    }
    NDArray x = InputEmbedder.lookup(fgramIds, wte); // (F,n,d)
    if (projected()) {
      x = x.matMul(w.get(PREFIX + "in.w"));
    }
    NDArray pos = w.get(PREFIX + "wpe").get(new NDIndex("0:{}", n));
    pos.attach(step);
    x = blocks.forward(x.add(pos), w, step);
    NDArray last = x.get(new NDIndex(":, -1, :")); // (F,f)
    if (scone.finalNorm()) {
      last = blocks.finalNorm(last, w);
    }
    return projected() ? last.matMul(w.get(PREFIX + "out.w")) : last;
  }

  /** {@code ids} as an (F, n) int64 array on {@code step}. */
  static NDArray idsArray(java.util.List<int[]> fgrams, NDManager step) {
    int n = fgrams.get(0).length;
    long[] flat = new long[fgrams.size() * n];
    for (int i = 0; i < fgrams.size(); i++) {
      for (int j = 0; j < n; j++) {
        flat[i * n + j] = fgrams.get(i)[j];
      }
    }
    return step.create(flat, new Shape(fgrams.size(), n));
  }
}
