package dept.train.model;

import ai.djl.ndarray.NDArray;

/** Parameter lookup by name for the forward pass. */
public interface Weights {
  NDArray get(String name);
}
