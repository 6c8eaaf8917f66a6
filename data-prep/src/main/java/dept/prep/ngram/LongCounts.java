package dept.prep.ngram;

/**
 * Counts per non-zero long key in two flat arrays (open addressing, linear probing): no boxing and
 * 16 bytes per slot, which makes counting packed n-gram keys several times faster than a
 * {@code HashMap<Long, long[]>}. Key 0 marks an empty slot ({@link NgramKeys} never packs to 0).
 */
final class LongCounts {

  /** Receives one key and its count. */
  interface Visitor {
    void accept(long key, long count);
  }

  private long[] keys;
  private long[] counts;
  private int size;

  LongCounts(int expected) {
    int slots = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
    keys = new long[slots];
    counts = new long[slots];
  }

  void increment(long key) {
    if (key == 0) {
      throw new IllegalArgumentException("key 0 is reserved for empty slots");
    }
    int mask = keys.length - 1;
    int i = slot(key, mask);
    while (true) {
      long k = keys[i];
      if (k == key) {
        counts[i]++;
        return;
      }
      if (k == 0) {
        keys[i] = key;
        counts[i] = 1;
        if (++size * 2 > keys.length) {
          grow();
        }
        return;
      }
      i = (i + 1) & mask;
    }
  }

  int size() {
    return size;
  }

  void forEach(Visitor visitor) {
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != 0) {
        visitor.accept(keys[i], counts[i]);
      }
    }
  }

  private static int slot(long key, int mask) {
    long h = key * 0x9E3779B97F4A7C15L; // Fibonacci hashing spreads the packed ids' low bits
    return (int) (h ^ (h >>> 32)) & mask;
  }

  private void grow() {
    long[] oldKeys = keys;
    long[] oldCounts = counts;
    keys = new long[oldKeys.length * 2];
    counts = new long[oldKeys.length * 2];
    int mask = keys.length - 1;
    for (int j = 0; j < oldKeys.length; j++) {
      if (oldKeys[j] != 0) {
        int i = slot(oldKeys[j], mask);
        while (keys[i] != 0) {
          i = (i + 1) & mask;
        }
        keys[i] = oldKeys[j];
        counts[i] = oldCounts[j];
      }
    }
  }
}
