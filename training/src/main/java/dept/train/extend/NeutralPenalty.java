package dept.train.extend;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dept.prep.tokenizer.SpecialTokens;
import dept.train.model.AdapterTaps;

/**
 * Neutral residues' sparsity loss (Signe Talla, Grave, Jégou, arXiv 2410.02744: the "local loss"
 * on the original distribution): on original-domain batches only, alpha times the mean over
 * adapter layers of the mean over real input tokens (padding masked out) of the L1 norm of the
 * adapter's gated output divided by the width d. New-domain batches add nothing, so their
 * gradients are the language model's alone.
 */
public record NeutralPenalty(double alpha) {

  /** The term to add to a batch's loss; null when it adds nothing (new-domain batch, alpha 0, no adapters). */
  public NDArray of(AdapterTaps taps, NDArray blocks, boolean original) {
    if (!original || alpha <= 0 || taps.outputs().isEmpty()) {
      return null;
    }
    NDArray real = realTokens(blocks);
    NDArray sum = null;
    for (NDArray output : taps.outputs()) {
      NDArray layer = meanAbsPerToken(output, real);
      sum = sum == null ? layer : sum.add(layer);
    }
    return sum.mul((float) (alpha / taps.outputs().size()));
  }

  /** 1 where an input token of {@code blocks} (B, T + 1; the last token is only a target) is not padding: (B, T). */
  public static NDArray realTokens(NDArray blocks) {
    long t = blocks.getShape().get(1) - 1;
    return blocks.get(new NDIndex(":, 0:{}", t)).neq(SpecialTokens.PAD_ID).toType(DataType.FLOAT32, false);
  }

  /** One layer's mean over real input tokens ({@link #realTokens}) of ||output||_1 / d; output is (B, T, d). */
  public static NDArray meanAbsPerToken(NDArray output, NDArray real) {
    NDArray perToken = output.abs().sum(new int[] {2}).div(output.getShape().get(2)); // (B, T)
    return perToken.mul(real).sum().div(real.sum().maximum(1f));
  }
}
