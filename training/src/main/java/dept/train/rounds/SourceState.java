package dept.train.rounds;

import dept.train.local.AdamW;
import dept.train.params.NamedTensors;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
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

  private static final int MAGIC = 0x44535331; // "DSS1"

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
      store.readSourceState(new TaskKey(source, r).statePath(), round).map(SourceState::fromBytes).ifPresent(all::add);
    }
    return all.isEmpty() ? java.util.Optional.empty() : java.util.Optional.ofNullable(mean(all, 0).embeddings());
  }

  private static NamedTensors uniformMean(List<NamedTensors> items) {
    return items.size() == 1 ? items.get(0) : NamedTensors.weightedMean(items, Collections.nCopies(items.size(), 1.0));
  }

  public byte[] toBytes() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(buffer)) {
      out.writeInt(MAGIC);
      out.writeLong(batchesServed);
      section(out, embeddings);
      section(out, optimizer == null ? null : optimizer.m());
      section(out, optimizer == null ? null : optimizer.v());
      out.writeLong(optimizer == null ? -1 : optimizer.steps());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toByteArray();
  }

  public static SourceState fromBytes(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      if (in.readInt() != MAGIC) {
        throw new IllegalArgumentException("not a source state (bad magic)");
      }
      long served = in.readLong();
      NamedTensors embeddings = section(in);
      NamedTensors m = section(in);
      NamedTensors v = section(in);
      long steps = in.readLong();
      return new SourceState(embeddings, m == null ? null : new AdamW.State(m, v, steps), served);
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt source state: " + e.getMessage(), e);
    }
  }

  private static void section(DataOutputStream out, NamedTensors t) throws IOException {
    byte[] b = t == null ? new byte[0] : t.toBytes();
    out.writeInt(b.length);
    out.write(b);
  }

  private static NamedTensors section(DataInputStream in) throws IOException {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return b.length == 0 ? null : NamedTensors.fromBytes(b);
  }
}
