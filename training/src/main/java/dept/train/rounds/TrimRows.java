package dept.train.rounds;

import dept.train.params.Tensor;
import java.util.List;

/**
 * TRIM's token table: a source holds the rows of the global-vocabulary ids that occur in its data
 * (row i of its local table is global id {@code ids[i]}, so its softmax covers those rows only);
 * the driver merges rows by global id, averaging each over the sources that hold it, and leaves
 * rows no source holds unchanged.
 */
public final class TrimRows {

  private TrimRows() {}

  /** The local table: rows {@code ids} of {@code global} (V x d), in that order. */
  public static Tensor gather(Tensor global, int[] ids) {
    int d = (int) global.shape()[1];
    float[] out = new float[ids.length * d];
    for (int i = 0; i < ids.length; i++) {
      System.arraycopy(global.data(), ids[i] * d, out, i * d, d);
    }
    return new Tensor(new long[] {ids.length, d}, out);
  }

  /**
   * The new global table: each row held by one or more sources becomes the mean of their rows;
   * the others keep their values.
   */
  public static Tensor merge(Tensor global, List<int[]> ids, List<Tensor> locals) {
    if (ids.size() != locals.size()) {
      throw new IllegalArgumentException("one id map per local table");
    }
    int rows = (int) global.shape()[0];
    int d = (int) global.shape()[1];
    double[] sum = new double[rows * d];
    int[] holders = new int[rows];
    for (int s = 0; s < ids.size(); s++) {
      int[] map = ids.get(s);
      float[] local = locals.get(s).data();
      if (local.length != map.length * d) {
        throw new IllegalArgumentException("source " + s + ": " + map.length + " ids but " + local.length / d + " rows");
      }
      for (int i = 0; i < map.length; i++) {
        holders[map[i]]++;
        for (int k = 0; k < d; k++) {
          sum[map[i] * d + k] += local[i * d + k];
        }
      }
    }
    float[] out = global.data().clone();
    for (int r = 0; r < rows; r++) {
      if (holders[r] > 0) {
        for (int k = 0; k < d; k++) {
          out[r * d + k] = (float) (sum[r * d + k] / holders[r]);
        }
      }
    }
    return new Tensor(global.shape(), out);
  }
}
