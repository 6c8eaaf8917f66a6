package dept.train.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.train.random.Seeds;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The batch order computed from counts alone is the order batches had when a task held all its
 * blocks (a list shuffled with {@code Collections.shuffle}, epoch after epoch; a mixture drawing
 * each row's source): models trained before and after the change stay bit-identical.
 */
class BatchOrderTest {

  @Test
  void oneSourceVisitsPositionsAsTheListShuffleDid() {
    for (int n : new int[] {1, 2, 7, 37, 100}) {
      BatchOrder order = BatchOrder.of(n, 8, 42);
      ListShuffle reference = new ListShuffle(n, new Random(42));
      List<Integer> seen = new ArrayList<>();
      for (int b = 0; b < 30; b++) {
        for (BatchOrder.Pick p : order.next()) {
          assertEquals(0, p.source());
          assertEquals(reference.next(), p.position(), "n = " + n + ", batch " + b);
          seen.add(p.position());
        }
      }
      if (n * 3 <= seen.size()) {
        for (int epoch = 0; epoch < 3; epoch++) {
          List<Integer> visit = new ArrayList<>(seen.subList(epoch * n, (epoch + 1) * n));
          Collections.sort(visit);
          assertEquals(n, visit.stream().distinct().count(), "each epoch visits every block once");
        }
      }
    }
  }

  @Test
  void aMixtureDrawsSourcesAndPositionsAsBefore() {
    int[] counts = {5, 40, 13};
    long seed = 7;
    for (double t : new double[] {0.0, 0.3, 1.0}) {
      BatchOrder order = BatchOrder.mixture(counts, t, 4, seed);
      Random draw = new Random(seed);
      List<ListShuffle> streams = new ArrayList<>();
      double[] weights = new double[counts.length];
      for (int i = 0; i < counts.length; i++) {
        streams.add(new ListShuffle(counts[i], new Random(Seeds.derive(seed, "source", i))));
        weights[i] = Math.pow(counts[i], t);
      }
      double[] cumulative = BatchOrder.cumulative(weights);
      for (int b = 0; b < 50; b++) {
        for (BatchOrder.Pick p : order.next()) {
          double u = draw.nextDouble();
          int s = 0;
          while (cumulative[s] < u) {
            s++;
          }
          assertEquals(s, p.source(), "t = " + t + ", batch " + b);
          assertEquals(streams.get(s).next(), p.position());
        }
      }
    }
  }

  @Test
  void skippingBatchesLandsWhereServingThemWould() {
    BatchOrder served = BatchOrder.mixture(new int[] {9, 4}, 0.5, 3, 11);
    for (int b = 0; b < 17; b++) {
      served.next();
    }
    BatchOrder skipped = BatchOrder.mixture(new int[] {9, 4}, 0.5, 3, 11);
    skipped.skip(17);
    for (int b = 0; b < 5; b++) {
      assertArrayEquals(served.next(), skipped.next());
    }
  }

  @Test
  void temperatureWeightsAreNormalisedRunningSums() {
    double[] c = BatchOrder.cumulative(new double[] {1, 3});
    assertEquals(0.25, c[0], 1e-12);
    assertEquals(1.0, c[1]);
    assertTrue(c[0] < c[1]);
    assertThrows(IllegalArgumentException.class, () -> BatchOrder.of(0, 2, 1), "a source without blocks cannot be ordered");
  }

  /** The earlier implementation's order: a list of indices, Collections.shuffle'd each epoch. */
  private static final class ListShuffle {
    private final List<Integer> order = new ArrayList<>();
    private final Random random;
    private int position;

    ListShuffle(int n, Random random) {
      this.random = random;
      for (int i = 0; i < n; i++) {
        order.add(i);
      }
      Collections.shuffle(order, random);
    }

    int next() {
      if (position == order.size()) {
        Collections.shuffle(order, random);
        position = 0;
      }
      return order.get(position++);
    }
  }
}
