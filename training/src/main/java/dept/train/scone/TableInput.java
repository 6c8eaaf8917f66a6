package dept.train.scone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dept.train.model.InputEmbedder;
import dept.train.model.Weights;

/**
 * SCONE's input at inference: every position's embedding is read from the precomputed
 * {@link FgramEmbeddingStore} in host memory and copied to the device once per batch; the f-gram
 * model is not run.
 */
public final class TableInput implements InputEmbedder {

  private final FgramEmbeddingStore store;

  public TableInput(FgramEmbeddingStore store) {
    this.store = store;
  }

  @Override
  public NDArray embed(NDArray tokens, Weights w, NDManager step) {
    Shape s = tokens.getShape();
    int rows = (int) s.get(0);
    int cols = (int) s.get(1);
    long[] flat = tokens.toLongArray();
    int[][] batch = new int[rows][cols];
    for (int b = 0; b < rows; b++) {
      for (int i = 0; i < cols; i++) {
        batch[b][i] = (int) flat[b * cols + i];
      }
    }
    return step.create(store.lookup(batch), new Shape(rows, cols, store.dim()));
  }
}
