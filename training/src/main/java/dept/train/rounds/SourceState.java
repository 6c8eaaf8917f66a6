package dept.train.rounds;

import dept.train.local.AdamW;
import dept.train.params.NamedTensors;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a source (replica) keeps between rounds, in the checkpoint store rather than on an
 * executor: its own embeddings (SPEC), its inner AdamW moments (KEEP; AVERAGE keeps those of its
 * local tensors), and how many batches its sampler has served, so the next round continues the
 * same seeded data order.
 *
 * @param embeddings null unless the variant keeps embeddings at the source
 * @param optimizer null unless moments are kept
 */
public record SourceState(NamedTensors embeddings, AdamW.State optimizer, long batchesServed) {

  private static final int MAGIC = 0x44535332; // "DSS2": long section lengths, streamed
  private static final int MAGIC_V1 = 0x44535331; // "DSS1": int section lengths (earlier runs)

  public static SourceState empty() {
    return new SourceState(null, null, 0);
  }

  /**
   * The state a task starts from when its source has several replicas: the mean of their
   * embeddings and moments (each replica keeps its own sampler position).
   */
  public static SourceState mean(List<SourceState> replicas, long batchesServed) {
    List<NamedTensors> embeddings = new ArrayList<>();
    List<NamedTensors> m = new ArrayList<>();
    List<NamedTensors> v = new ArrayList<>();
    long steps = 0;
    for (SourceState s : replicas) {
      if (s.embeddings != null) {
        embeddings.add(s.embeddings);
      }
      if (s.optimizer != null) {
        m.add(s.optimizer.m());
        v.add(s.optimizer.v());
        steps = Math.max(steps, s.optimizer.steps());
      }
    }
    return new SourceState(
        embeddings.isEmpty() ? null : uniformMean(embeddings),
        m.isEmpty() ? null : new AdamW.State(uniformMean(m), uniformMean(v), steps),
        batchesServed);
  }

  /** A source's own embeddings after {@code round} (its replicas averaged), if it has trained by then. */
  static java.util.Optional<NamedTensors> embeddingsOf(CheckpointStore store, String source, int replicas, int round) {
    List<SourceState> all = new ArrayList<>();
    for (int r = 0; r < replicas; r++) {
      store.readSourceState(new TaskKey(source, r).statePath(), round, SourceState::read).ifPresent(all::add);
    }
    return all.isEmpty() ? java.util.Optional.empty() : java.util.Optional.ofNullable(mean(all, 0).embeddings());
  }

  private static NamedTensors uniformMean(List<NamedTensors> items) {
    return items.size() == 1 ? items.get(0) : NamedTensors.weightedMean(items, Collections.nCopies(items.size(), 1.0));
  }

  /** The byte form in one array (small states, tests); the store streams it ({@link #write}). */
  public byte[] toBytes() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try {
      write(buffer);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toByteArray();
  }

  /** Streams the state: each section's length as a long, then its tensors, so no array holds a large state. */
  public void write(OutputStream sink) throws IOException {
    DataOutputStream out = new DataOutputStream(sink);
    out.writeInt(MAGIC);
    out.writeLong(batchesServed);
    for (NamedTensors t : java.util.Arrays.asList(embeddings, optimizer == null ? null : optimizer.m(),
        optimizer == null ? null : optimizer.v())) {
      out.writeLong(t == null ? 0 : t.byteSize());
      if (t != null) {
        t.write(out);
      }
    }
    out.writeLong(optimizer == null ? -1 : optimizer.steps());
    out.flush();
  }

  public static SourceState fromBytes(byte[] bytes) {
    try {
      return read(new ByteArrayInputStream(bytes));
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt source state: " + e.getMessage(), e);
    }
  }

  /** Reads {@link #write}'s form, or the one-array form of earlier runs ({@code DSS1}, int section lengths). */
  public static SourceState read(InputStream source) throws IOException {
    DataInputStream in = new DataInputStream(source);
    int magic = in.readInt();
    if (magic != MAGIC && magic != MAGIC_V1) {
      throw new IllegalArgumentException("not a source state (bad magic)");
    }
    long served = in.readLong();
    NamedTensors[] sections = new NamedTensors[3];
    for (int i = 0; i < sections.length; i++) {
      long length = magic == MAGIC ? in.readLong() : in.readInt();
      sections[i] = length == 0 ? null : NamedTensors.read(new Bounded(in, length));
    }
    long steps = in.readLong();
    return new SourceState(sections[0], sections[1] == null ? null : new AdamW.State(sections[1], sections[2], steps), served);
  }

  /** The next {@code limit} bytes of a stream, so a section's reader cannot read into the next one. */
  private static final class Bounded extends java.io.FilterInputStream {
    private long left;

    Bounded(InputStream in, long limit) {
      super(in);
      this.left = limit;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) {
        return -1;
      }
      int b = super.read();
      if (b >= 0) {
        left--;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) {
        return -1;
      }
      int n = super.read(b, off, (int) Math.min(len, left));
      if (n > 0) {
        left -= n;
      }
      return n;
    }
  }
}
