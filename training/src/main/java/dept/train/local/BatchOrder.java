package dept.train.local;

import dept.train.random.Seeds;
import java.util.Random;

/**
 * The seeded order in which batches visit blocks, as (source, position) picks computed from block
 * counts alone, so a task can work out a round's picks first and read only those blocks. Each
 * source's blocks come in epochs, each epoch a seeded shuffle of the previous one; with several
 * sources each row's source is drawn with probability proportional to blocks^t (temperature
 * sampling as in XLM / mT5: t = 0 uniform, t = 1 proportional to size). The same seed gives the
 * same picks.
 */
public final class BatchOrder {

  /** Row {@code position} (0-based, in block-id order) of source {@code source} (its index in the counts). */
  public record Pick(int source, int position) {}

  private final Positions[] sources;
  private final double[] cumulative;
  private final Random random;
  private final int batchSize;

  private BatchOrder(Positions[] sources, double[] cumulative, Random random, int batchSize) {
    this.sources = sources;
    this.cumulative = cumulative;
    this.random = random;
    this.batchSize = batchSize;
  }

  /** One source of {@code blocks} blocks, {@code batchSize} picks a batch. */
  public static BatchOrder of(int blocks, int batchSize, long seed) {
    return new BatchOrder(new Positions[] {new Positions(blocks, new Random(seed))}, null, null, batchSize);
  }

  /** Sources of {@code blocks[i]} blocks each, mixed at {@code temperature}. */
  public static BatchOrder mixture(int[] blocks, double temperature, int batchSize, long seed) {
    if (blocks.length == 0) {
      throw new IllegalArgumentException("no sources to mix");
    }
    Positions[] sources = new Positions[blocks.length];
    double[] weights = new double[blocks.length];
    for (int i = 0; i < blocks.length; i++) {
      sources[i] = new Positions(blocks[i], new Random(Seeds.derive(seed, "source", i)));
      weights[i] = Math.pow(blocks[i], temperature);
    }
    return new BatchOrder(sources, cumulative(weights), new Random(seed), batchSize);
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

  public int batchSize() {
    return batchSize;
  }

  /** The next batch's picks. */
  public Pick[] next() {
    Pick[] batch = new Pick[batchSize];
    for (int b = 0; b < batchSize; b++) {
      int s = 0;
      if (cumulative != null) {
        double u = random.nextDouble();
        while (cumulative[s] < u) {
          s++;
        }
      }
      batch[b] = new Pick(s, sources[s].next());
    }
    return batch;
  }

  /** Moves past {@code batches} batches (where a previous round stopped) without keeping them. */
  public void skip(long batches) {
    for (long i = 0; i < batches; i++) {
      next();
    }
  }

  /**
   * One source's positions in seeded epochs. The order is an int per block (4 bytes; the blocks
   * themselves are not held), shuffled in place exactly as {@code Collections.shuffle} shuffles a
   * list with the same {@link Random}, so orders match those of earlier versions.
   */
  private static final class Positions {
    private final int[] order;
    private final Random random;
    private int next;

    Positions(int blocks, Random random) {
      if (blocks <= 0) {
        throw new IllegalArgumentException("no blocks to train on");
      }
      this.order = new int[blocks];
      this.random = random;
      for (int i = 0; i < blocks; i++) {
        order[i] = i;
      }
      shuffle();
    }

    int next() {
      if (next == order.length) {
        shuffle();
        next = 0;
      }
      return order[next++];
    }

    private void shuffle() {
      for (int i = order.length; i > 1; i--) {
        int j = random.nextInt(i);
        int t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
      }
    }
  }
}
