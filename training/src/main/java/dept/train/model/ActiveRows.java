package dept.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The positions of a (B, T) batch that a layer still runs, as rows of the flattened (B*T, C)
 * residual stream, and the same rows laid out per sequence (B, P), P the most any sequence still
 * has, so their queries meet their own sequence's keys in one batched product (B, nh, P, T) rather
 * than a copy of the keys per row.
 *
 * @param rows the row indices, ascending (b * T + t)
 * @param index the rows as an int64 array (A)
 * @param perSequence P: the most rows any sequence still has
 * @param padded (B*P) the row behind each slot of the per-sequence layout (a sequence with fewer
 *     rows repeats its last one, or row b * T when it has none)
 * @param slots (A) where each of {@code rows} sits in the per-sequence layout (b * P + i)
 * @param paddedPosition (B*P) each slot's t (for the attention mask)
 */
public record ActiveRows(long[] rows, int batch, int length, NDArray index, int perSequence, NDArray padded, NDArray slots,
    NDArray paddedPosition) {

  /** The rows whose flag is set in {@code active} (B*T flags, row-major). */
  public static ActiveRows of(boolean[] active, int batch, int length, NDManager step) {
    int[] perSeq = new int[batch];
    int count = 0;
    for (int r = 0; r < active.length; r++) {
      if (active[r]) {
        perSeq[r / length]++;
        count++;
      }
    }
    int p = 0;
    for (int n : perSeq) {
      p = Math.max(p, n);
    }
    long[] rows = new long[count];
    long[] slots = new long[count];
    long[] padded = new long[batch * p];
    long[] paddedPosition = new long[batch * p];
    int i = 0;
    for (int b = 0; b < batch; b++) {
      int k = 0;
      long last = (long) b * length;
      for (int t = 0; t < length; t++) {
        int r = b * length + t;
        if (active[r]) {
          rows[i] = r;
          slots[i] = (long) b * p + k;
          padded[b * p + k] = r;
          paddedPosition[b * p + k] = t;
          last = r;
          i++;
          k++;
        }
      }
      for (; k < p; k++) {
        padded[b * p + k] = last;
        paddedPosition[b * p + k] = last - (long) b * length;
      }
    }
    return new ActiveRows(rows, batch, length, step.create(rows), p, step.create(padded), step.create(slots), step.create(paddedPosition));
  }

  public int count() {
    return rows.length;
  }
}
