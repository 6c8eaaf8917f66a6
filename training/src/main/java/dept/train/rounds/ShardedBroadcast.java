package dept.train.rounds;

import dept.train.params.NamedTensors;
import dept.train.params.ShardPlan;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Tensors sent to every task as one Spark broadcast per shard of a {@link ShardPlan}: no single
 * array holds them on the way, and a reducer that needs one shard reads only that one. Tensors the
 * plan covers but the value lacks are absent from every shard (e.g. moments of the aggregated
 * tensors only).
 */
final class ShardedBroadcast implements Serializable {

  private static final long serialVersionUID = 1L;

  private final ShardPlan plan;
  private final List<Broadcast<byte[]>> shards;
  private final long bytes;

  private ShardedBroadcast(ShardPlan plan, List<Broadcast<byte[]>> shards, long bytes) {
    this.plan = plan;
    this.shards = shards;
    this.bytes = bytes;
  }

  /** Broadcasts {@code tensors} shard by shard; null broadcasts nothing and reads back as null. */
  static ShardedBroadcast of(JavaSparkContext jsc, NamedTensors tensors, ShardPlan plan) {
    List<Broadcast<byte[]>> shards = new ArrayList<>();
    long bytes = 0;
    if (tensors != null) {
      for (byte[] b : plan.toBytes(tensors)) {
        bytes += b.length;
        shards.add(jsc.broadcast(b));
      }
    }
    return new ShardedBroadcast(plan, List.copyOf(shards), bytes);
  }

  /** The whole value, joined from its shards (each checked against its checksum); null if none was sent. */
  NamedTensors value() {
    if (shards.isEmpty()) {
      return null;
    }
    List<NamedTensors> parts = new ArrayList<>(shards.size());
    for (Broadcast<byte[]> b : shards) {
      parts.add(NamedTensors.fromBytes(b.value()));
    }
    return plan.join(parts);
  }

  /** Shard {@code i} alone; null if nothing was sent. */
  NamedTensors shard(int i) {
    return shards.isEmpty() ? null : NamedTensors.fromBytes(shards.get(i).value());
  }

  /** Serialised bytes sent (what each task receives). */
  long bytes() {
    return bytes;
  }

  void destroy() {
    shards.forEach(Broadcast::destroy);
  }
}
