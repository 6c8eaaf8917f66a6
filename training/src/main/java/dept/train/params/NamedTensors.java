package dept.train.params;

import dept.prep.io.AtomicOutput;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
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
    Map<String, long[]> shapes = new TreeMap<>();
    tensors.forEach((n, t) -> shapes.put(n, t.shape()));
    return byteSize(shapes);
  }

  /** {@link #byteSize()} of tensors with these names and shapes, without holding them (a long: any size). */
  public static long byteSize(Map<String, long[]> shapes) {
    long size = 3 * Integer.BYTES + SHA256_BYTES;
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      size += Integer.BYTES + e.getKey().getBytes(StandardCharsets.UTF_8).length + Integer.BYTES
          + (long) Long.BYTES * e.getValue().length + Float.BYTES * values(e.getValue());
    }
    return size;
  }

  /** {@link #parameterCount()} of tensors with these shapes, without holding them. */
  public static long parameterCount(Map<String, long[]> shapes) {
    return shapes.values().stream().mapToLong(NamedTensors::values).sum();
  }

  private static long values(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
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

  /** The byte form in one array: for values well under 2 GB (a shard, a source's state); larger ones stream ({@link #write}). */
  public byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, byteSize()));
    try {
      write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Writes the byte form to {@code sink}, tensor by tensor, with the SHA-256 of everything before
   * it at the end: no array larger than one tensor, whatever the total.
   */
  public void write(OutputStream sink) throws IOException {
    MessageDigest digest = sha256();
    DigestOutputStream digesting = new DigestOutputStream(new BufferedOutputStream(sink, 1 << 16), digest);
    DataOutputStream out = new DataOutputStream(digesting);
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
      ByteBuffer buf = ByteBuffer.allocate(Math.min(data.length, 1 << 16) * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (int from = 0; from < data.length; from += buf.capacity() / 4) {
        int n = Math.min(buf.capacity() / 4, data.length - from);
        buf.clear();
        buf.asFloatBuffer().put(data, from, n);
        out.write(buf.array(), 0, n * 4);
      }
    }
    out.flush();
    digesting.on(false);
    out.write(digest.digest());
    out.flush();
  }

  /** Reads {@link #toBytes()} output; a torn or altered array fails its checksum. */
  public static NamedTensors fromBytes(byte[] bytes) {
    if (bytes.length < 44) {
      throw new IllegalArgumentException("tensor bytes too short (" + bytes.length + "): torn or not a tensor file");
    }
    try {
      return read(new ByteArrayInputStream(bytes));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads {@link #write} output from {@code source}, checking the SHA-256 at its end; a torn or altered stream fails. */
  public static NamedTensors read(InputStream source) throws IOException {
    MessageDigest digest = sha256();
    DigestInputStream digesting = new DigestInputStream(new BufferedInputStream(source, 1 << 16), digest);
    DataInputStream in = new DataInputStream(digesting);
    TreeMap<String, Tensor> out = new TreeMap<>();
    try {
      if (in.readInt() != MAGIC || in.readInt() != VERSION) {
        throw new IllegalArgumentException("not a dept tensor file (magic/version)");
      }
      int count = in.readInt();
      for (int k = 0; k < count; k++) {
        int nameLength = in.readInt();
        if (nameLength < 0 || nameLength > 4096) {
          throw new IllegalArgumentException("tensor bytes fail their SHA-256 checksum: torn or altered (name length " + nameLength + ")");
        }
        byte[] name = new byte[nameLength];
        in.readFully(name);
        int rank = in.readInt();
        if (rank < 0 || rank > 8) {
          throw new IllegalArgumentException("tensor bytes fail their SHA-256 checksum: torn or altered (rank " + rank + ")");
        }
        long[] shape = new long[rank];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
          shape[i] = in.readLong();
          n *= shape[i];
        }
        if (n < 0 || n > Integer.MAX_VALUE - 8) {
          throw new IllegalArgumentException("tensor bytes fail their SHA-256 checksum: torn or altered (" + n + " values)");
        }
        float[] data = new float[(int) n];
        byte[] chunk = new byte[Math.min((int) n, 1 << 16) * 4];
        for (int from = 0; from < n; from += chunk.length / 4) {
          int m = Math.min(chunk.length / 4, (int) n - from);
          in.readFully(chunk, 0, m * 4);
          ByteBuffer.wrap(chunk, 0, m * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data, from, m);
        }
        out.put(new String(name, StandardCharsets.UTF_8), new Tensor(shape, data));
      }
      digesting.on(false);
      byte[] expected = in.readNBytes(SHA256_BYTES);
      if (expected.length != SHA256_BYTES || !MessageDigest.isEqual(expected, digest.digest()) || in.read() != -1) {
        throw new IllegalArgumentException("tensor bytes fail their SHA-256 checksum: torn or altered");
      }
    } catch (java.io.EOFException e) {
      throw new IllegalArgumentException("tensor bytes fail their SHA-256 checksum: torn or altered (ends early)");
    }
    return new NamedTensors(out);
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

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
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
