package dept.train.model;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Multiply-adds a stepped forward pass executed, per layer, counted from the shapes of the
 * matrices it multiplied (not from a formula of what should have run), and the rows each layer
 * sent through its per-token work (query, attention output, MLP) and through keys and values.
 */
public final class ComputeMeter implements Serializable {

  private final long[] macs;
  private final long[] tokenRows;
  private final long[] keyValueRows;

  public ComputeMeter(int layers) {
    this.macs = new long[layers];
    this.tokenRows = new long[layers];
    this.keyValueRows = new long[layers];
  }

  /** A matrix product of an (rows x inner) by an (inner x cols) matrix, {@code times} times (batched heads). */
  void matmul(int layer, long times, long rows, long inner, long cols) {
    macs[layer] += times * rows * inner * cols;
  }

  void rows(int layer, long tokens, long keysValues) {
    tokenRows[layer] += tokens;
    keyValueRows[layer] += keysValues;
  }

  /** Work outside the blocks charged to {@code layer} (e.g. an exit head on the rows it scored). */
  public void head(int layer, long rows, long width) {
    macs[layer] += rows * width;
  }

  public long macs() {
    return Arrays.stream(macs).sum();
  }

  /** Rows that went through layer {@code layer}'s query, attention output and MLP. */
  public long tokenRows(int layer) {
    return tokenRows[layer];
  }

  public long tokenRows() {
    return Arrays.stream(tokenRows).sum();
  }

  /** Rows whose keys and values layer {@code layer} computed (every position while any still runs). */
  public long keyValueRows(int layer) {
    return keyValueRows[layer];
  }
}
