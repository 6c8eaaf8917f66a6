package dept.prep.ngram;

import java.util.Arrays;
import java.util.List;

/**
 * Finds, for a position of a token sequence, the longest f-gram ending there: at most {@code
 * maxN - 1} hash probes (longest first), no allocation per token. The table is open addressing on
 * a 64-bit hash of the ids, each hit verified against the stored ids, so it works for any
 * vocabulary size. Immutable after construction; safe to share between threads.
 */
public final class FgramMatcher {

  /** No f-gram of length >= 2 ends at the position. */
  public static final int NONE = -1;

  private final int maxN;
  private final long[] hashes;
  private final int[] slotId;
  private final int mask;
  private final int[] lengths;
  private final int[] offsets;
  private final int[] ids;

  /** @param fgrams f-gram id -> its token ids (ids are positions in the list) */
  public FgramMatcher(List<int[]> fgrams) {
    int max = 2;
    int total = 0;
    for (int[] f : fgrams) {
      if (f.length < 2) {
        throw new IllegalArgumentException("an f-gram has at least 2 tokens, got " + Arrays.toString(f));
      }
      max = Math.max(max, f.length);
      total += f.length;
    }
    this.maxN = max;
    this.lengths = new int[fgrams.size()];
    this.offsets = new int[fgrams.size()];
    this.ids = new int[total];
    int capacity = Integer.highestOneBit(Math.max(4, fgrams.size() * 2)) << 1;
    this.hashes = new long[capacity];
    this.slotId = new int[capacity];
    Arrays.fill(slotId, -1);
    this.mask = capacity - 1;
    int at = 0;
    for (int id = 0; id < fgrams.size(); id++) {
      int[] f = fgrams.get(id);
      lengths[id] = f.length;
      offsets[id] = at;
      System.arraycopy(f, 0, ids, at, f.length);
      at += f.length;
      long h = hash(f, 0, f.length);
      int slot = (int) (h >>> 33) & mask;
      while (slotId[slot] >= 0) {
        if (hashes[slot] == h && equalsAt(slotId[slot], f, 0, f.length)) {
          throw new IllegalArgumentException("f-gram " + Arrays.toString(f) + " is listed twice");
        }
        slot = (slot + 1) & mask;
      }
      hashes[slot] = h;
      slotId[slot] = id;
    }
  }

  public int size() {
    return lengths.length;
  }

  public int maxN() {
    return maxN;
  }

  /** The token ids of f-gram {@code id}. */
  public int[] fgram(int id) {
    return Arrays.copyOfRange(ids, offsets[id], offsets[id] + lengths[id]);
  }

  /** The id of the longest f-gram ending at {@code end} (inclusive), or {@link #NONE}. */
  public int longest(int[] tokens, int end) {
    return longest(tokens, end, Integer.MAX_VALUE);
  }

  /** As {@link #longest(int[], int)}, among f-grams with id < {@code maxId} (the top-K). */
  public int longest(int[] tokens, int end, int maxId) {
    for (int n = Math.min(maxN, end + 1); n >= 2; n--) {
      int from = end - n + 1;
      long h = hash(tokens, from, n);
      int slot = (int) (h >>> 33) & mask;
      while (slotId[slot] >= 0) {
        int id = slotId[slot];
        if (hashes[slot] == h && id < maxId && equalsAt(id, tokens, from, n)) {
          return id;
        }
        slot = (slot + 1) & mask;
      }
    }
    return NONE;
  }

  /** {@link #longest} for every position of {@code tokens}, into {@code out}. */
  public void matchAll(int[] tokens, int[] out) {
    for (int i = 0; i < tokens.length; i++) {
      out[i] = longest(tokens, i);
    }
  }

  private boolean equalsAt(int id, int[] tokens, int from, int n) {
    if (lengths[id] != n) {
      return false;
    }
    int o = offsets[id];
    for (int i = 0; i < n; i++) {
      if (ids[o + i] != tokens[from + i]) {
        return false;
      }
    }
    return true;
  }

  private static long hash(int[] tokens, int from, int n) {
    long h = 0x9E3779B97F4A7C15L * (n + 1);
    for (int i = 0; i < n; i++) {
      h = (h ^ tokens[from + i]) * 0xBF58476D1CE4E5B9L;
      h ^= h >>> 31;
    }
    return h;
  }
}
