package dept.train.model;

/**
 * Sizes of the transformer. The tokenize stage already needs {@code d_model} to report the
 * embedding memory each DEPT variant would use; the model issue adds depth, heads and the rest.
 *
 * @param dModel width of the residual stream and of every embedding row
 */
public record ModelConfig(Integer dModel) {

  public ModelConfig {
    dModel = dModel == null ? 128 : dModel;
    if (dModel < 1) {
      throw new IllegalArgumentException("d_model must be >= 1, got " + dModel);
    }
  }
}
