package dept.prep.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A byte-level BPE vocabulary: ids 0..2 are the special tokens, 3..258 the 256 bytes, and every
 * further id is created by a merge of two earlier tokens, in merge order. Like HF's trainer, a
 * merge whose bytes already form a token reuses that id, so there can be more merges than new
 * ids. Encoding a word applies merges lowest rank first, leftmost first on ties, exactly as HF
 * tokenizers' BPE does. Not thread-safe (it reuses scratch arrays); use one per thread.
 */
public final class BpeModel {

  public static final int FIRST_BYTE_ID = SpecialTokens.ALL.size();
  public static final int FIRST_MERGE_ID = FIRST_BYTE_ID + 256;

  private final int[][] merges;
  private final int[] mergeResult;
  private final byte[][] tokenBytes;
  private final PairRanks ranks;

  private final LongMinHeap heap = new LongMinHeap();
  private int[] sym = new int[64];
  private int[] prev = new int[64];
  private int[] next = new int[64];

  /**
   * @param merges {left, right, result} in rank order; result is the next new id, or the id of an
   *     earlier token with the same bytes
   */
  public BpeModel(int[][] merges) {
    this.merges = merges;
    this.mergeResult = new int[merges.length];
    List<byte[]> bytes = new ArrayList<>();
    for (String s : SpecialTokens.ALL) {
      bytes.add(s.getBytes(StandardCharsets.UTF_8));
    }
    for (int b = 0; b < 256; b++) {
      bytes.add(new byte[] {(byte) b});
    }
    for (int r = 0; r < merges.length; r++) {
      int left = merges[r][0];
      int right = merges[r][1];
      int result = merges[r][2];
      int known = bytes.size();
      if (left < FIRST_BYTE_ID || right < FIRST_BYTE_ID || left >= known || right >= known) {
        throw new IllegalArgumentException("merge " + r + " joins " + left + " and " + right + ", not two earlier tokens");
      }
      byte[] l = bytes.get(left);
      byte[] rb = bytes.get(right);
      byte[] joined = Arrays.copyOf(l, l.length + rb.length);
      System.arraycopy(rb, 0, joined, l.length, rb.length);
      if (result == known) {
        bytes.add(joined);
      } else if (result < FIRST_MERGE_ID || result > known || !Arrays.equals(bytes.get(result), joined)) {
        throw new IllegalArgumentException("merge " + r + " must create id " + known + " or reuse a token with its bytes, not " + result);
      }
      mergeResult[r] = result;
    }
    this.tokenBytes = bytes.toArray(new byte[0][]);
    this.ranks = new PairRanks(merges);
  }

  public int vocabSize() {
    return tokenBytes.length;
  }

  /** {left, right, result} per merge, in rank order. */
  public int[][] merges() {
    return merges;
  }

  /** The bytes of token {@code id} (for a special token, its UTF-8 text). */
  public byte[] tokenBytes(int id) {
    return tokenBytes[id];
  }

  /** The token ids of one pre-tokenized word, given as UTF-8 bytes. */
  public int[] encodeWord(byte[] word) {
    int n = word.length;
    if (n == 0) {
      return new int[0];
    }
    if (sym.length < n) {
      sym = new int[n];
      prev = new int[n];
      next = new int[n];
    }
    heap.clear();
    for (int i = 0; i < n; i++) {
      sym[i] = FIRST_BYTE_ID + (word[i] & 0xFF);
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
    }
    for (int i = 0; i + 1 < n; i++) {
      pushPair(i);
    }
    int alive = n;
    while (!heap.isEmpty()) {
      long top = heap.pop();
      int rank = (int) (top >>> 32);
      int i = (int) top;
      int j = sym[i] < 0 ? -1 : next[i];
      if (j < 0 || ranks.rank(sym[i], sym[j]) != rank) {
        continue; // stale: one side was merged since this pair was queued
      }
      sym[i] = mergeResult[rank];
      sym[j] = -1;
      next[i] = next[j];
      if (next[j] >= 0) {
        prev[next[j]] = i;
      }
      alive--;
      if (prev[i] >= 0) {
        pushPair(prev[i]);
      }
      pushPair(i);
    }
    int[] out = new int[alive];
    for (int i = 0, k = 0; i >= 0; i = next[i]) {
      out[k++] = sym[i];
    }
    return out;
  }

  private void pushPair(int i) {
    int j = next[i];
    if (j >= 0) {
      int r = ranks.rank(sym[i], sym[j]);
      if (r >= 0) {
        heap.push(((long) r << 32) | i);
      }
    }
  }
}
