package dept.train.params;

import dept.prep.io.AtomicOutput;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.hadoop.conf.Configuration;

/**
 * Named float32 tensors in name order: a body, a source's embeddings, an optimiser state. What
 * DEPT sends, averages and checkpoints; plain Java, so the driver needs no engine. The byte form
 * is a magic, the layout (name, shape), the values (little-endian) and a SHA-256 of all of it.
 */
public final class NamedTensors {

  private static final int MAGIC = 0x44455054; // "DEPT"
  private static final int VERSION = 1;
  private static final int SHA256_BYTES = 32;

  private final TreeMap<String, Tensor> tensors;

  /** No tensors: e.g. the server state of a strategy that keeps none. */
  public static final NamedTensors EMPTY = new NamedTensors(Map.of());

  public NamedTensors(Map<String, Tensor> tensors) {
    this.tensors = new TreeMap<>(tensors);
  }

  public Map<String, Tensor> asMap() {
    return Collections.unmodifiableMap(tensors);
  }

  public Set<String> names() {
    return Collections.unmodifiableSet(tensors.keySet());
  }

  public Tensor get(String name) {
    Tensor t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("no tensor named " + name);
    }
    return t;
  }

  /** Total number of float values. */
  public long parameterCount() {
    return tensors.values().stream().mapToLong(Tensor::size).sum();
  }

  /** The length of {@link #toBytes()}, without serialising (what a transfer of these tensors costs). */
  public long byteSize() {
    long size = 3 * Integer.BYTES + SHA256_BYTES;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      size += Integer.BYTES + e.getKey().getBytes(StandardCharsets.UTF_8).length + Integer.BYTES
          + (long) Long.BYTES * e.getValue().shape().length + (long) Float.BYTES * e.getValue().size();
    }
    return size;
  }

  /** The tensors whose name passes {@code keep}. */
  public NamedTensors select(Predicate<String> keep) {
    TreeMap<String, Tensor> out = new TreeMap<>();
    tensors.forEach((n, t) -> {
      if (keep.test(n)) {
        out.put(n, t);
      }
    });
    return new NamedTensors(out);
  }

  /** These tensors with {@code other}'s added or replaced. */
  public NamedTensors with(NamedTensors other) {
    TreeMap<String, Tensor> out = new TreeMap<>(tensors);
    out.putAll(other.tensors);
    return new NamedTensors(out);
  }

  /** Whether {@code other} has the same names and shapes. */
  public boolean sameLayout(NamedTensors other) {
    if (!tensors.keySet().equals(other.tensors.keySet())) {
      return false;
    }
    return tensors.entrySet().stream().allMatch(e -> java.util.Arrays.equals(e.getValue().shape(), other.tensors.get(e.getKey()).shape()));
  }

  private void requireLayout(NamedTensors other, String what) {
    if (!sameLayout(other)) {
      throw new IllegalArgumentException(what + ": layouts differ (" + names() + " vs " + other.names() + ")");
    }
  }

  /** {@code this - older}, tensor by tensor: a body update. */
  public NamedTensors minus(NamedTensors older) {
    requireLayout(older, "delta");
    TreeMap<String, Tensor> out = new TreeMap<>();
    tensors.forEach((n, t) -> {
      float[] a = t.data();
      float[] b = older.tensors.get(n).data();
      float[] d = new float[a.length];
      for (int i = 0; i < a.length; i++) {
        d[i] = a[i] - b[i];
      }
      out.put(n, new Tensor(t.shape(), d));
    });
    return new NamedTensors(out);
  }

  /** {@code this + scale * other}. */
  public NamedTensors plusScaled(NamedTensors other, double scale) {
    requireLayout(other, "add");
    TreeMap<String, Tensor> out = new TreeMap<>();
    tensors.forEach((n, t) -> {
      float[] a = t.data();
      float[] b = other.tensors.get(n).data();
      float[] s = new float[a.length];
      for (int i = 0; i < a.length; i++) {
        s[i] = (float) (a[i] + scale * b[i]);
      }
      out.put(n, new Tensor(t.shape(), s));
    });
    return new NamedTensors(out);
  }

  /** Every value times {@code factor}. */
  public NamedTensors scaled(double factor) {
    TreeMap<String, Tensor> out = new TreeMap<>();
    tensors.forEach((n, t) -> {
      float[] a = t.data();
      float[] s = new float[a.length];
      for (int i = 0; i < a.length; i++) {
        s[i] = (float) (factor * a[i]);
      }
      out.put(n, new Tensor(t.shape(), s));
    });
    return new NamedTensors(out);
  }

  /** The weighted mean of tensors with one layout; weights need not sum to 1. Sums in double. */
  public static NamedTensors weightedMean(List<NamedTensors> items, List<Double> weights) {
    if (items.isEmpty() || items.size() != weights.size()) {
      throw new IllegalArgumentException("need one weight per item, and at least one item");
    }
    double total = weights.stream().mapToDouble(Double::doubleValue).sum();
    if (!(total > 0)) {
      throw new IllegalArgumentException("weights must sum to > 0, got " + total);
    }
    NamedTensors first = items.get(0);
    items.forEach(i -> first.requireLayout(i, "mean"));
    TreeMap<String, Tensor> out = new TreeMap<>();
    for (Map.Entry<String, Tensor> e : first.tensors.entrySet()) {
      int n = e.getValue().size();
      double[] acc = new double[n];
      for (int k = 0; k < items.size(); k++) {
        float[] d = items.get(k).tensors.get(e.getKey()).data();
        double w = weights.get(k) / total;
        for (int i = 0; i < n; i++) {
          acc[i] += w * d[i];
        }
      }
      float[] mean = new float[n];
      for (int i = 0; i < n; i++) {
        mean[i] = (float) acc[i];
      }
      out.put(e.getKey(), new Tensor(e.getValue().shape(), mean));
    }
    return new NamedTensors(out);
  }

  /** True when every value is finite. */
  public boolean allFinite() {
    for (Tensor t : tensors.values()) {
      for (float f : t.data()) {
        if (!Float.isFinite(f)) {
          return false;
        }
      }
    }
    return true;
  }

  // ---- bytes -----------------------------------------------------------------------------

  public byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(VERSION);
      out.writeInt(tensors.size());
      for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
        byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
        out.writeInt(name.length);
        out.write(name);
        long[] shape = e.getValue().shape();
        out.writeInt(shape.length);
        for (long d : shape) {
          out.writeLong(d);
        }
        float[] data = e.getValue().data();
        ByteBuffer buf = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(data);
        out.write(buf.array());
      }
      out.flush();
      byte[] body = bytes.toByteArray();
      out.write(sha256(body, body.length));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Reads {@link #toBytes()} output; a torn or altered array fails its checksum. */
  public static NamedTensors fromBytes(byte[] bytes) {
    if (bytes.length < 44) {
      throw new IllegalArgumentException("tensor bytes too short (" + bytes.length + "): torn or not a tensor file");
    }
    byte[] expected = java.util.Arrays.copyOfRange(bytes, bytes.length - 32, bytes.length);
    if (!MessageDigest.isEqual(expected, sha256(bytes, bytes.length - 32))) {
      throw new IllegalArgumentException("tensor bytes fail their SHA-256 checksum: torn or altered");
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0, bytes.length - 32))) {
      if (in.readInt() != MAGIC || in.readInt() != VERSION) {
        throw new IllegalArgumentException("not a dept tensor file (magic/version)");
      }
      int count = in.readInt();
      TreeMap<String, Tensor> out = new TreeMap<>();
      for (int k = 0; k < count; k++) {
        byte[] name = new byte[in.readInt()];
        in.readFully(name);
        long[] shape = new long[in.readInt()];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
          shape[i] = in.readLong();
          n *= shape[i];
        }
        byte[] raw = new byte[Math.toIntExact(n * 4)];
        in.readFully(raw);
        float[] data = new float[(int) n];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
        out.put(new String(name, StandardCharsets.UTF_8), new Tensor(shape, data));
      }
      return new NamedTensors(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SHA-256 (hex) of the byte form: one checksum for layout and values. */
  public String checksum() {
    byte[] b = toBytes();
    return HexFormat.of().formatHex(b, b.length - 32, b.length);
  }

  /** Writes {@link #toBytes()} to a local file, replacing it whole. */
  public void save(Path file) {
    AtomicOutput.writeFile(file.toUri().toString(), toBytes(), new Configuration());
  }

  public static NamedTensors load(Path file) {
    try {
      return fromBytes(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load " + file, e);
    }
  }

  private static byte[] sha256(byte[] b, int len) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(b, 0, len);
      return d.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NamedTensors n && tensors.equals(n.tensors);
  }

  @Override
  public int hashCode() {
    return tensors.hashCode();
  }

  @Override
  public String toString() {
    return "NamedTensors" + tensors;
  }
}
