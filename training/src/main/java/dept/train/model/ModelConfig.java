package dept.train.model;

/**
 * Sizes of the decoder. The context length is {@code tokenize.seq_len} (the blocks' length).
 *
 * @param dModel width of the residual stream and of every embedding row
 * @param layers number of decoder blocks in the body
 * @param heads attention heads; must divide {@code d_model}
 * @param mlpRatio hidden width of each MLP as a multiple of {@code d_model}
 */
public record ModelConfig(Integer dModel, Integer layers, Integer heads, Integer mlpRatio)
    implements java.io.Serializable {

  public ModelConfig {
    dModel = dModel == null ? 128 : dModel;
    layers = layers == null ? 2 : layers;
    heads = heads == null ? 4 : heads;
    mlpRatio = mlpRatio == null ? 4 : mlpRatio;
    if (dModel < 1 || layers < 1 || heads < 1 || mlpRatio < 1) {
      throw new IllegalArgumentException(
          "d_model, layers, heads and mlp_ratio must be >= 1, got " + dModel + ", " + layers + ", " + heads + ", " + mlpRatio);
    }
    if (dModel % heads != 0) {
      throw new IllegalArgumentException("heads must divide d_model: " + dModel + " % " + heads + " != 0");
    }
  }

  public static ModelConfig defaults() {
    return new ModelConfig(null, null, null, null);
  }

  public int headSize() {
    return dModel / heads;
  }
}
