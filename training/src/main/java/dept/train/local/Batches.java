package dept.train.local;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Blocks as an int64 engine array (B, T+1). */
public final class Batches {

  private Batches() {}

  public static NDArray toArray(int[][] blocks, NDManager manager) {
    int width = blocks[0].length;
    long[] flat = new long[blocks.length * width];
    for (int b = 0; b < blocks.length; b++) {
      if (blocks[b].length != width) {
        throw new IllegalArgumentException("blocks of different lengths: " + width + " and " + blocks[b].length);
      }
      for (int i = 0; i < width; i++) {
        flat[b * width + i] = blocks[b][i];
      }
    }
    return manager.create(flat, new Shape(blocks.length, width));
  }
}
