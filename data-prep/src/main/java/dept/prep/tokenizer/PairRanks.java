package dept.prep.tokenizer;

import java.util.Arrays;

/**
 * Merge rank of a symbol pair, in an open-addressing table keyed by the packed pair: the encoder's
 * innermost lookup, so no boxing.
 */
final class PairRanks {

  private final long[] keys;
  private final int[] ranks;
  private final int mask;

  PairRanks(int[][] merges) {
    int capacity = Integer.highestOneBit(Math.max(4, merges.length * 2)) << 1;
    keys = new long[capacity];
    ranks = new int[capacity];
    Arrays.fill(keys, -1L);
    mask = capacity - 1;
    for (int r = 0; r < merges.length; r++) {
      long key = key(merges[r][0], merges[r][1]);
      int slot = slot(key);
      while (keys[slot] != -1L) {
        slot = (slot + 1) & mask;
      }
      keys[slot] = key;
      ranks[slot] = r;
    }
  }

  static long key(int left, int right) {
    return ((long) left << 32) | (right & 0xFFFFFFFFL);
  }

  private int slot(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h >>> 40) & mask;
  }

  /** The rank of merging {@code left right}, or -1 when they do not merge. */
  int rank(int left, int right) {
    long key = key(left, right);
    int slot = slot(key);
    while (true) {
      long k = keys[slot];
      if (k == key) {
        return ranks[slot];
      }
      if (k == -1L) {
        return -1;
      }
      slot = (slot + 1) & mask;
    }
  }
}
