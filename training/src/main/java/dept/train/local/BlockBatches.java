package dept.train.local;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * Endless batches of blocks: each epoch visits every block once in a seeded random order, so the
 * same seed gives the same batches.
 */
public final class BlockBatches implements Iterator<int[][]> {

  private final List<int[]> blocks;
  private final int batchSize;
  private final Random random;
  private final List<Integer> order = new ArrayList<>();
  private int position;

  public BlockBatches(List<int[]> blocks, int batchSize, long seed) {
    if (blocks.isEmpty()) {
      throw new IllegalArgumentException("no blocks to train on");
    }
    this.blocks = blocks;
    this.batchSize = batchSize;
    this.random = new Random(seed);
    for (int i = 0; i < blocks.size(); i++) {
      order.add(i);
    }
    Collections.shuffle(order, random);
  }

  @Override
  public boolean hasNext() {
    return true;
  }

  @Override
  public int[][] next() {
    int[][] batch = new int[batchSize][];
    for (int b = 0; b < batchSize; b++) {
      if (position == order.size()) {
        Collections.shuffle(order, random);
        position = 0;
      }
      batch[b] = blocks.get(order.get(position++));
    }
    return batch;
  }
}
