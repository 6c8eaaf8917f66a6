package dept.train.model;

import ai.djl.ndarray.NDArray;

/** A map of the last dimension, (..., in) -> (..., out), reading its matrices from named weights. */
public interface Projection {

  NDArray forward(NDArray x, Weights w);

  /**
   * Output columns {@code [from, to)} only, without computing the others: e.g. the queries of a
   * fused q|k|v projection for some rows and the keys and values for all of them.
   */
  NDArray columns(NDArray x, Weights w, long from, long to);
}
