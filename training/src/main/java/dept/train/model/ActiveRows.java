package dept.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The positions of a (B, T) batch that a layer still runs, as rows of the flattened (B*T, C)
 * residual stream, with each row's sequence and position in it (to pick its keys, values and mask).
 *
 * @param rows the row indices, ascending (b * T + t)
 * @param index the rows as an int64 array (A)
 * @param sequence each row's b (A)
 * @param position each row's t (A)
 */
public record ActiveRows(long[] rows, int batch, int length, NDArray index, NDArray sequence, NDArray position) {

  /** The rows whose flag is set in {@code active} (B*T flags, row-major). */
  public static ActiveRows of(boolean[] active, int batch, int length, NDManager step) {
    int count = 0;
    for (boolean a : active) {
      count += a ? 1 : 0;
    }
    long[] rows = new long[count];
    long[] sequence = new long[count];
    long[] position = new long[count];
    int i = 0;
    for (int r = 0; r < active.length; r++) {
      if (active[r]) {
        rows[i] = r;
        sequence[i] = r / length;
        position[i] = r % length;
        i++;
      }
    }
    return new ActiveRows(rows, batch, length, step.create(rows), step.create(sequence), step.create(position));
  }

  public int count() {
    return rows.length;
  }

  /** Every position of the batch. */
  public boolean all() {
    return rows.length == batch * length;
  }
}
