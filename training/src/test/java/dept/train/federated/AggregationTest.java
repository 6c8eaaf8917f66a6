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
}
