package dept.prep.ngram;

/**
 * Packs an n-gram of token ids into one long: each id + 1 in {@code bits} bits, first id highest,
 * so no id is ever 0 and n-grams of different lengths never collide, and keys of one length sort
 * like their id sequences. Only when {@code maxN x bits <= 64}; otherwise callers use arrays.
 */
public final class NgramKeys implements java.io.Serializable {

  private final int bits;
  private final long mask;

  public NgramKeys(int vocabSize) {
    this.bits = 64 - Long.numberOfLeadingZeros(vocabSize); // holds ids 1..vocabSize
    this.mask = (1L << bits) - 1;
  }

  public int bits() {
    return bits;
  }

  public static boolean packable(int vocabSize, int maxN) {
    return maxN * (64 - Long.numberOfLeadingZeros(vocabSize)) <= 64;
  }

  public long pack(int[] tokens, int from, int n) {
    long key = 0;
    for (int i = 0; i < n; i++) {
      key = (key << bits) | (tokens[from + i] + 1L);
    }
    return key;
  }

  public int[] unpack(long key, int n) {
    int[] ids = new int[n];
    for (int i = n - 1; i >= 0; i--) {
      ids[i] = (int) (key & mask) - 1;
      key >>>= bits;
    }
    return ids;
  }
}
