package dept.train.federated;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.train.params.NamedTensors;
import dept.train.params.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AggregationTest {

  private static NamedTensors body(float... v) {
    return new NamedTensors(Map.of("body.w", new Tensor(new long[] {v.length}, v)));
  }

  private static float[] w(NamedTensors t) {
    return t.get("body.w").data();
  }

  @Test
  void fedAvgWeightsByTokenCount() {
    NamedTensors global = body(1, 1);
    List<ClientUpdate> results = List.of(
        new ClientUpdate("a", body(5, 1), 300), new ClientUpdate("b", body(1, 5), 100));
    assertArrayEquals(new float[] {4, 2}, w(new FedAvg(true).aggregate(0, global, results, 0).orElseThrow()));
    assertArrayEquals(new float[] {3, 3}, w(new FedAvg(false).aggregate(0, global, results, 0).orElseThrow()));
  }

  @Test
  void aRoundWithoutResultsBringsNoUpdate() {
    assertTrue(new FedAvg(true).aggregate(0, body(1), List.of(), 2).isEmpty());
    assertTrue(new NesterovOuter(0.7, 0.7, true, null).aggregate(0, body(1), List.of(), 1).isEmpty());
  }

  @Test
  void nesterovWithoutMomentumAndUnitRateIsFedAvg() {
    List<ClientUpdate> r = List.of(new ClientUpdate("a", body(3, 0), 5), new ClientUpdate("b", body(1, 4), 5));
    assertEquals(new FedAvg(true).aggregate(0, body(1, 1), r, 0), new NesterovOuter(1.0, 0.0, true, null).aggregate(0, body(1, 1), r, 0));
  }

  @Test
  void nesterovAddsTheLookAheadMomentum() {
    NesterovOuter outer = new NesterovOuter(0.5, 0.5, true, null);
    // round 1: trained 2 from 0, d = 2, v = 2, step = 0.5 * (2 + 0.5 * 2) = 1.5
    NamedTensors g1 = outer.aggregate(1, body(0), List.of(new ClientUpdate("a", body(2), 1)), 0).orElseThrow();
    assertArrayEquals(new float[] {1.5f}, w(g1));
    // round 2: trained 3.5 from 1.5, d = 2, v = 0.5 * 2 + 2 = 3, step = 0.5 * (2 + 0.5 * 3) = 1.75
    NamedTensors g2 = outer.aggregate(2, g1, List.of(new ClientUpdate("a", body(3.5f), 1)), 0).orElseThrow();
    assertArrayEquals(new float[] {3.25f}, w(g2));
    assertArrayEquals(new float[] {3f}, w(outer.velocity()));
  }

  @Test
  void rowsHeldBySomeUpdatesAreAveragedOverTheirHoldersByTheStrategy() {
    // 4 global rows of width 2; "a" holds rows 1 and 2 (100 tokens), "b" row 2 (300 tokens).
    Tensor global = new Tensor(new long[] {4, 2}, new float[] {0, 0, 1, 1, 2, 2, 3, 3});
    NamedTensors g = new NamedTensors(Map.of("embed.wte", global)).with(body(1));
    ClientUpdate a = new ClientUpdate("a", new NamedTensors(Map.of("embed.wte", new Tensor(new long[] {2, 2},
        new float[] {10, 10, 20, 20}))).with(body(3)), 100, Map.of("embed.wte", new int[] {1, 2}));
    ClientUpdate b = new ClientUpdate("b", new NamedTensors(Map.of("embed.wte", new Tensor(new long[] {1, 2},
        new float[] {40, 40}))).with(body(5)), 300, Map.of("embed.wte", new int[] {2}));
    NamedTensors avg = new FedAvg(true).aggregate(1, g, List.of(a, b), 0).orElseThrow();
    assertArrayEquals(new float[] {0, 0, 10, 10, 35, 35, 3, 3}, avg.get("embed.wte").data(),
        "row 1 only a's, row 2 token-weighted (20 x 1 + 40 x 3) / 4, rows 0 and 3 held by nobody stay");
    assertArrayEquals(new float[] {4.5f}, w(avg), "whole tensors as before");
    // Nesterov sees the same row-wise pseudo-gradient: with lr 1 and no momentum it is FedAvg.
    assertEquals(avg, new NesterovOuter(1.0, 0.0, true, null).aggregate(1, g, List.of(a, b), 0).orElseThrow());
  }

  @Test
  void serverStateIsWhatAResumedStrategyNeeds() {
    NesterovOuter outer = new NesterovOuter(0.5, 0.5, true, null);
    outer.aggregate(1, body(0), List.of(new ClientUpdate("a", body(2), 1)), 0);
    AggregationStrategy resumed = new OuterConfig(OuterConfig.Kind.NESTEROV, 0.5, 0.5, true).create(outer.serverState());
    List<ClientUpdate> round2 = List.of(new ClientUpdate("a", body(3.5f), 1));
    assertEquals(outer.aggregate(2, body(1.5f), round2, 0), resumed.aggregate(2, body(1.5f), round2, 0));
    assertTrue(new FedAvg(true).serverState().names().isEmpty());
  }
}
