package dept.train.model;

import ai.djl.ndarray.NDArray;

/** A map of the last dimension, (..., in) -> (..., out), reading its matrices from named weights. */
public interface Projection {

  NDArray forward(NDArray x, Weights w);
}
