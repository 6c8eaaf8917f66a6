package dept.train.model;

/**
 * Forward FLOPs per token of the main model, from its shapes (Kaplan et al. 2020's count): 2 per
 * body parameter, 2 x layers x context x d_model for attention over the context, and the output
 * head (tied to the input rows) over the vocabulary. Input embeddings are lookups and count 0,
 * and so does a SCONE model's precomputed table: that is why SCONE adds no inference FLOPs.
 */
public final class InferenceFlops {

  private InferenceFlops() {}

  /** @param vocab rows of the output head (a mean over tokenizers where sources differ) */
  public static long perToken(ModelConfig model, int seqLen, double vocab) {
    long body = new DecoderLm(model, 1, seqLen).initBody(0).parameterCount();
    return 2 * body + 2L * model.layers() * seqLen * model.dModel() + Math.round(2 * vocab * model.dModel());
  }
}
