package dept.train.rounds;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dept.train.params.NamedTensors;
import dept.train.params.ShardPlan;
import dept.train.params.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShardedAggregationTest {

  /**
   * Map tasks on different executors must send a shard's pieces to the same reducer: the key's hash
   * is computed from the kind's ordinal, never from the enum's identity hash (which differs per JVM).
   */
  @Test
  void reduceKeysHashTheSameInEveryJvm() {
    assertEquals(3 * 4 + 1, new ShardedAggregation.Key(ShardedAggregation.Kind.UPLOAD, 3).hashCode());
    assertEquals(0, new ShardedAggregation.Key(ShardedAggregation.Kind.REPORTS, 0).hashCode());
    assertEquals(2 * 4 + 3, new ShardedAggregation.Key(ShardedAggregation.Kind.V, 2).hashCode());
  }

  @Test
  void oneReducerPerShardAtMostTheParallelism() {
    NamedTensors t = new NamedTensors(Map.of("body.w", new Tensor(new long[] {10, 4}, new float[40])));
    assertEquals(1, ShardedAggregation.partitions(ShardPlan.of(t, 1 << 20), 8));
    assertEquals(5, ShardedAggregation.partitions(ShardPlan.of(t, 32), 8));
    assertEquals(2, ShardedAggregation.partitions(ShardPlan.of(t, 32), 2));
  }
}
