package dept.train.local;

import java.util.Iterator;
import java.util.List;

/**
 * Endless batches of blocks held in memory, in the seeded {@link BatchOrder}: each epoch visits
 * every block once, so the same seed gives the same batches (for loops outside the rounds, which
 * read a round's blocks from the files instead).
 */
public final class BlockBatches implements Iterator<int[][]> {

  private final List<int[]> blocks;
  private final BatchOrder order;

  public BlockBatches(List<int[]> blocks, int batchSize, long seed) {
    if (blocks.isEmpty()) {
      throw new IllegalArgumentException("no blocks to train on");
    }
    this.blocks = blocks;
    this.order = BatchOrder.of(blocks.size(), batchSize, seed);
  }

  @Override
  public boolean hasNext() {
    return true;
  }

  @Override
  public int[][] next() {
    BatchOrder.Pick[] picks = order.next();
    int[][] batch = new int[picks.length][];
    for (int b = 0; b < picks.length; b++) {
      batch[b] = blocks.get(picks[b].position());
    }
    return batch;
  }
}
