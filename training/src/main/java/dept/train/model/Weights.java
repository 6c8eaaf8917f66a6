package dept.train.model;

import ai.djl.ndarray.NDArray;

/** Parameter lookup by name for the forward pass. */
public interface Weights {
  NDArray get(String name);

  /** Whether a parameter of that name exists. */
  boolean has(String name);

  /** The first of {@code layers} that has each name: e.g. trainable extension parameters over a frozen model. */
  static Weights layered(Weights... layers) {
    return new Weights() {
      @Override
      public NDArray get(String name) {
        for (Weights w : layers) {
          if (w.has(name)) {
            return w.get(name);
          }
        }
        throw new IllegalArgumentException("no parameter named " + name);
      }

      @Override
      public boolean has(String name) {
        for (Weights w : layers) {
          if (w.has(name)) {
            return true;
          }
        }
        return false;
      }
    };
  }
}
