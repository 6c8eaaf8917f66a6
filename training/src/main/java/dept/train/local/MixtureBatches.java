package dept.train.local;

import dept.train.random.Seeds;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Endless batches from several sources, each row's source drawn with probability proportional to
 * blocks^t (temperature sampling as in XLM / mT5: t = 0 uniform, t = 1 proportional to size); within
 * a source, blocks come in seeded epochs as in {@link BlockBatches}.
 */
public final class MixtureBatches implements Iterator<int[][]> {

  private final List<BlockBatches> streams = new ArrayList<>();
  private final double[] cumulative;
  private final int batchSize;
  private final Random random;

  /** @param bySource blocks per source, iterated in the map's order (pass a sorted map for determinism) */
  public MixtureBatches(Map<String, List<int[]>> bySource, double temperature, int batchSize, long seed) {
    if (bySource.isEmpty()) {
      throw new IllegalArgumentException("no sources to mix");
    }
    this.batchSize = batchSize;
    this.random = new Random(seed);
    double[] weights = new double[bySource.size()];
    int i = 0;
    for (List<int[]> blocks : bySource.values()) {
      streams.add(new BlockBatches(blocks, 1, Seeds.derive(seed, "source", i)));
      weights[i++] = Math.pow(blocks.size(), temperature);
    }
    this.cumulative = cumulative(weights);
  }

  /** The running sums of the normalised weights (the last is exactly 1). */
  static double[] cumulative(double[] weights) {
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    double[] cumulative = new double[weights.length];
    double run = 0;
    for (int i = 0; i < weights.length; i++) {
      run += weights[i] / total;
      cumulative[i] = run;
    }
    cumulative[weights.length - 1] = 1.0;
    return cumulative;
  }

  @Override
  public boolean hasNext() {
    return true;
  }

  @Override
  public int[][] next() {
    int[][] batch = new int[batchSize][];
    for (int b = 0; b < batchSize; b++) {
      double u = random.nextDouble();
      int s = 0;
      while (cumulative[s] < u) {
        s++;
      }
      batch[b] = streams.get(s).next()[0];
    }
    return batch;
  }
}
