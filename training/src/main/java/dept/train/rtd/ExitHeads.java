package dept.train.rtd;

import ai.djl.ndarray.NDArray;
import dept.train.model.DecoderLm;
import dept.train.model.LayerNorm;
import dept.train.model.TransformerBlocks;
import dept.train.model.Weights;
import dept.train.params.NamedTensors;
import dept.train.params.Tensor;
import java.util.TreeMap;

/**
 * One replaced-token head after each layer of the discriminator, each with its own LayerNorm
 * ({@code body.exit<l>.ln}) and a linear map to one logit ({@code body.exit<l>.w, .b}); named like
 * the body so DEPT shares them with it.
 */
public final class ExitHeads {

  private final int layers;
  private final int width;

  public ExitHeads(int layers, int width) {
    this.layers = layers;
    this.width = width;
  }

  static String prefix(int layer) {
    return DecoderLm.BODY + "exit" + layer + ".";
  }

  public NamedTensors init(long seed) {
    TreeMap<String, Tensor> t = new TreeMap<>();
    for (int l = 0; l < layers; l++) {
      TransformerBlocks.layerNorm(t, prefix(l) + "ln", width);
      t.put(prefix(l) + "w", TransformerBlocks.normal(seed, prefix(l) + "w", 0.02, width, 1));
      t.put(prefix(l) + "b", new Tensor(new long[] {1}, new float[1]));
    }
    return new NamedTensors(t);
  }

  /** Head {@code layer}'s logit of "replaced" for each row of x (..., C) -> (...). */
  public NDArray logits(int layer, NDArray x, Weights w) {
    NDArray h = new LayerNorm(prefix(layer) + "ln", width).forward(x, w);
    return h.matMul(w.get(prefix(layer) + "w")).add(w.get(prefix(layer) + "b")).squeeze(-1);
  }
}
