package dept.train.params;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a set of tensors is cut into shards of bounded size, so parameters travel, aggregate and are
 * stored in pieces and never as one Java array (which holds at most 2^31-1 bytes: a ~536M-parameter
 * body). Tensors are taken in name order and cut along their first dimension (rows); a shard takes
 * rows until it is full, so a large tensor spans consecutive shards and a shard holds at most one
 * slice of each tensor. Each shard travels as a {@link NamedTensors} of its slices (the slice of
 * {@code name} keeps that name; its first dimension is the slice's row count), with that format's
 * checksum. The plan depends only on names, shapes and the size bound, so every task, reducer and
 * checkpoint reader that knows the layout derives the same one.
 */
public final class ShardPlan implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Default bound: 64 MB per shard, far below Spark's and Java's limits, large enough to keep shards few. */
  public static final long DEFAULT_MAX_BYTES = 64L << 20;

  /** Rows {@code [fromRow, toRow)} of tensor {@code name}. */
  public record Slice(String name, long fromRow, long toRow) implements Serializable {
    public long rows() {
      return toRow - fromRow;
    }
  }

  private final TreeMap<String, long[]> layout;
  private final long maxBytes;
  private final List<List<Slice>> shards;

  private ShardPlan(TreeMap<String, long[]> layout, long maxBytes, List<List<Slice>> shards) {
    this.layout = layout;
    this.maxBytes = maxBytes;
    this.shards = shards;
  }

  /** The plan for tensors of these shapes (by name), each shard at most {@code maxBytes} of values. */
  public static ShardPlan of(Map<String, long[]> shapes, long maxBytes) {
    TreeMap<String, long[]> layout = new TreeMap<>();
    shapes.forEach((n, s) -> layout.put(n, s.clone()));
    List<List<Slice>> shards = new ArrayList<>();
    List<Slice> current = new ArrayList<>();
    long used = 0;
    for (Map.Entry<String, long[]> e : layout.entrySet()) {
      long rows = rows(e.getValue());
      long rowBytes = 4L * rowFloats(e.getValue());
      if (rowBytes > maxBytes) {
        throw new IllegalArgumentException("a row of " + e.getKey() + " " + Arrays.toString(e.getValue()) + " is "
            + rowBytes + " bytes, more than the shard bound of " + maxBytes);
      }
      long from = 0;
      while (from < rows) {
        long fit = (maxBytes - used) / rowBytes;
        if (fit == 0) {
          shards.add(current);
          current = new ArrayList<>();
          used = 0;
          continue;
        }
        long to = Math.min(rows, from + fit);
        current.add(new Slice(e.getKey(), from, to));
        used += (to - from) * rowBytes;
        from = to;
      }
    }
    if (!current.isEmpty() || shards.isEmpty()) {
      shards.add(current);
    }
    return new ShardPlan(layout, maxBytes, shards);
  }

  /** The plan for {@code tensors}' layout. */
  public static ShardPlan of(NamedTensors tensors, long maxBytes) {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    tensors.asMap().forEach((n, t) -> shapes.put(n, t.shape()));
    return of(shapes, maxBytes);
  }

  public int size() {
    return shards.size();
  }

  public long maxBytes() {
    return maxBytes;
  }

  public List<Slice> slices(int shard) {
    return List.copyOf(shards.get(shard));
  }

  /** Names and shapes the plan covers. */
  public Map<String, long[]> layout() {
    Map<String, long[]> copy = new TreeMap<>();
    layout.forEach((n, s) -> copy.put(n, s.clone()));
    return copy;
  }

  /** Bytes of values the plan covers (a long: the whole may exceed any array). */
  public long totalBytes() {
    return layout.values().stream().mapToLong(s -> 4L * rows(s) * rowFloats(s)).sum();
  }

  /** Shard {@code shard} of {@code whole}: the slices of the tensors {@code whole} holds (it may hold a subset of the layout). */
  public NamedTensors cut(NamedTensors whole, int shard) {
    TreeMap<String, Tensor> out = new TreeMap<>();
    for (Slice s : shards.get(shard)) {
      if (!whole.names().contains(s.name())) {
        continue;
      }
      Tensor t = whole.get(s.name());
      requireShape(s.name(), t.shape());
      int rowFloats = Math.toIntExact(rowFloats(t.shape()));
      float[] data = Arrays.copyOfRange(t.data(), Math.toIntExact(s.fromRow() * rowFloats), Math.toIntExact(s.toRow() * rowFloats));
      out.put(s.name(), new Tensor(sliceShape(t.shape(), s.rows()), data));
    }
    return new NamedTensors(out);
  }

  /**
   * The tensors from their shards, in any order ({@code shards.get(i)} is shard {@code i}'s; null
   * for a shard that holds none of them). A tensor is whole only if every slice of it is present.
   */
  public NamedTensors join(List<NamedTensors> byShard) {
    if (byShard.size() != shards.size()) {
      throw new IllegalArgumentException("expected " + shards.size() + " shards, got " + byShard.size());
    }
    Map<String, float[]> data = new TreeMap<>();
    Map<String, Long> rowsSeen = new TreeMap<>();
    for (int i = 0; i < shards.size(); i++) {
      NamedTensors part = byShard.get(i);
      if (part == null) {
        continue;
      }
      for (Slice s : shards.get(i)) {
        if (!part.names().contains(s.name())) {
          continue;
        }
        long[] shape = layout.get(s.name());
        Tensor t = part.get(s.name());
        if (!Arrays.equals(t.shape(), sliceShape(shape, s.rows()))) {
          throw new IllegalArgumentException("shard " + i + ": " + s.name() + " is " + Arrays.toString(t.shape())
              + ", the plan says " + Arrays.toString(sliceShape(shape, s.rows())));
        }
        int rowFloats = Math.toIntExact(rowFloats(shape));
        float[] whole = data.computeIfAbsent(s.name(), n -> new float[Math.toIntExact(rows(shape) * rowFloats)]);
        System.arraycopy(t.data(), 0, whole, Math.toIntExact(s.fromRow() * rowFloats), t.size());
        rowsSeen.merge(s.name(), s.rows(), Long::sum);
      }
    }
    TreeMap<String, Tensor> out = new TreeMap<>();
    for (Map.Entry<String, float[]> e : data.entrySet()) {
      long[] shape = layout.get(e.getKey());
      if (rowsSeen.get(e.getKey()) != rows(shape)) {
        throw new IllegalArgumentException(e.getKey() + ": " + rowsSeen.get(e.getKey()) + " of " + rows(shape)
            + " rows arrived; a shard is missing");
      }
      out.put(e.getKey(), new Tensor(shape.clone(), e.getValue()));
    }
    return new NamedTensors(out);
  }

  /** Every shard of {@code whole} as bytes (each with its checksum): what travels or is stored. */
  public List<byte[]> toBytes(NamedTensors whole) {
    List<byte[]> out = new ArrayList<>(shards.size());
    for (int i = 0; i < shards.size(); i++) {
      out.add(cut(whole, i).toBytes());
    }
    return out;
  }

  /** {@link #join} of shards in their byte form; each is checked against its checksum. */
  public NamedTensors fromBytes(List<byte[]> byShard) {
    return join(byShard.stream().map(b -> b == null ? null : NamedTensors.fromBytes(b)).toList());
  }

  private void requireShape(String name, long[] shape) {
    if (!Arrays.equals(layout.get(name), shape)) {
      throw new IllegalArgumentException(name + " is " + Arrays.toString(shape) + ", the plan has "
          + Arrays.toString(layout.get(name)));
    }
  }

  /** Rows of a tensor: its first dimension (a scalar is one row). */
  static long rows(long[] shape) {
    return shape.length == 0 ? 1 : shape[0];
  }

  static long rowFloats(long[] shape) {
    long n = 1;
    for (int i = 1; i < shape.length; i++) {
      n *= shape[i];
    }
    return n;
  }

  private static long[] sliceShape(long[] shape, long rows) {
    if (shape.length == 0) {
      return new long[0];
    }
    long[] s = shape.clone();
    s[0] = rows;
    return s;
  }

  @Override
  public String toString() {
    return "ShardPlan[" + shards.size() + " shards of <= " + maxBytes + " bytes over " + layout.size() + " tensors]";
  }
}
