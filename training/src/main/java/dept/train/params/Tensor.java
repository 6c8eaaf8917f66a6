package dept.train.params;

import java.util.Arrays;

/** One named parameter's shape and float32 values, row-major; plain Java, no engine. */
public record Tensor(long[] shape, float[] data) {

  public Tensor {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    if (n != data.length) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, got " + data.length);
    }
  }

  public int size() {
    return data.length;
  }

  /** Number of dimensions; weight decay applies to tensors with 2 or more (nanoGPT's rule). */
  public int rank() {
    return shape.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "Tensor" + Arrays.toString(shape);
  }
}
