package dept.train.params;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.train.federated.Aggregates;
import dept.train.federated.ClientUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ShardPlanTest {

  private static Tensor random(Random r, long... shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    float[] data = new float[(int) n];
    for (int i = 0; i < data.length; i++) {
      data[i] = r.nextFloat() - 0.5f;
    }
    return new Tensor(shape, data);
  }

  private static NamedTensors model(long seed) {
    Random r = new Random(seed);
    Map<String, Tensor> t = new TreeMap<>();
    t.put("body.h0.attn.w", random(r, 24, 8));
    t.put("body.h0.ln.g", random(r, 8));
    t.put("body.scale", random(r));
    t.put("embed.wte", random(r, 50, 8));
    return new NamedTensors(t);
  }

  @Test
  void shardsStayUnderTheBoundAndJoinBackBitForBit() {
    NamedTensors m = model(1);
    for (long max : new long[] {32, 100, 256, 1000, 1 << 20}) {
      ShardPlan plan = ShardPlan.of(m, max);
      List<byte[]> bytes = plan.toBytes(m);
      for (int i = 0; i < plan.size(); i++) {
        long values = plan.slices(i).stream().mapToLong(s -> s.rows() * 4L * ShardPlan.rowFloats(plan.layout().get(s.name()))).sum();
        assertTrue(values <= max, "shard " + i + " holds " + values + " bytes of values at bound " + max);
        assertTrue(plan.slices(i).stream().map(ShardPlan.Slice::name).distinct().count() == plan.slices(i).size(),
            "at most one slice of a tensor per shard");
      }
      assertEquals(m, plan.fromBytes(bytes), "bound " + max);
    }
    assertEquals(1, ShardPlan.of(m, 1 << 20).size());
    assertTrue(ShardPlan.of(m, 32).size() > 50, "a row of 8 floats per shard: many shards per tensor");
  }

  @Test
  void aLayoutLargerThanAnyJavaArrayIsPlannedWithoutAllocatingIt() {
    // A 1.3B-parameter body's shapes (5.2 GB of float32): no array holds it, the plan still covers it.
    Map<String, long[]> shapes = new TreeMap<>();
    for (int l = 0; l < 24; l++) {
      shapes.put("body.h" + l + ".mlp.fc", new long[] {8192, 2048});
      shapes.put("body.h" + l + ".mlp.proj", new long[] {2048, 8192});
      shapes.put("body.h" + l + ".attn.qkv", new long[] {6144, 2048});
      shapes.put("body.h" + l + ".attn.out", new long[] {2048, 2048});
    }
    ShardPlan plan = ShardPlan.of(shapes, 64L << 20);
    assertTrue(plan.totalBytes() > Integer.MAX_VALUE, "total " + plan.totalBytes());
    assertEquals((plan.totalBytes() + (64L << 20) - 1) / (64L << 20), plan.size(), "shards are filled before a new one starts");
  }

  @Test
  void aRowLargerThanTheBoundIsRefusedAndAMissingShardIsNamed() {
    assertThrows(IllegalArgumentException.class, () -> ShardPlan.of(model(1), 16));
    NamedTensors m = model(1);
    ShardPlan plan = ShardPlan.of(m, 100);
    List<byte[]> bytes = new ArrayList<>(plan.toBytes(m));
    bytes.set(3, null);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plan.fromBytes(bytes));
    assertTrue(e.getMessage().contains("a shard is missing"), e.getMessage());
    byte[] torn = plan.toBytes(m).get(2);
    torn[20] ^= 1;
    List<byte[]> altered = new ArrayList<>(plan.toBytes(m));
    altered.set(2, torn);
    assertThrows(IllegalArgumentException.class, () -> plan.fromBytes(altered), "each shard keeps its checksum");
  }

  /** The mean shard by shard equals the mean of the whole updates, bit for bit, partial token tables (TRIM) included. */
  @Test
  void theMeanOfShardsIsTheShardOfTheMean() {
    NamedTensors global = model(1);
    NamedTensors a = model(2);
    NamedTensors b = model(3);
    // b holds only rows 3, 17 and 40 of the token table, as a TRIM source does.
    int[] rows = {17, 3, 40};
    float[] held = new float[rows.length * 8];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(b.get("embed.wte").data(), rows[i] * 8, held, i * 8, 8);
    }
    NamedTensors bPartial = b.with(new NamedTensors(Map.of("embed.wte", new Tensor(new long[] {3, 8}, held))));
    int[] all = new int[50];
    for (int i = 0; i < 50; i++) {
      all[i] = i;
    }
    List<ClientUpdate> updates = List.of(new ClientUpdate("a", a, 300, Map.of("embed.wte", all)),
        new ClientUpdate("b", bPartial, 100, Map.of("embed.wte", rows)));
    NamedTensors whole = Aggregates.meanTrained(global, updates, true);
    for (long max : new long[] {32, 200, 1 << 20}) {
      ShardPlan plan = ShardPlan.of(global, max);
      List<NamedTensors> means = new ArrayList<>();
      for (int s = 0; s < plan.size(); s++) {
        int shard = s;
        List<ClientUpdate> parts = updates.stream().map(u -> u.shard(plan, shard)).toList();
        means.add(Aggregates.meanTrained(plan.cut(global, s), parts, true));
      }
      NamedTensors joined = plan.join(means);
      assertEquals(whole, joined, "bound " + max);
      assertArrayEquals(whole.get("embed.wte").data(), joined.get("embed.wte").data());
    }
  }
}
