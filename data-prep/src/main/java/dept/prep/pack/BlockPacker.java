package dept.prep.pack;

import dept.prep.tokenizer.SpecialTokens;
import java.util.ArrayList;
import java.util.List;

/**
 * Packs documents into fixed blocks of {@code seqLen + 1} tokens (inputs plus the shifted target),
 * each document followed by {@code <|eos|>}; a document longer than the room left continues in
 * the next block. The last, partial block is filled with {@code <|pad|>}.
 */
public final class BlockPacker {

  private final int blockLen;
  private int[] current;
  private int filled;
  private long padded;

  public BlockPacker(int seqLen) {
    if (seqLen < 1) {
      throw new IllegalArgumentException("seq_len must be >= 1, got " + seqLen);
    }
    this.blockLen = seqLen + 1;
    this.current = new int[blockLen];
  }

  /** Adds one document; returns the blocks it completed (possibly none). */
  public List<int[]> add(int[] document) {
    List<int[]> done = new ArrayList<>();
    for (int t : document) {
      push(t, done);
    }
    push(SpecialTokens.EOS_ID, done);
    return done;
  }

  private void push(int token, List<int[]> done) {
    current[filled++] = token;
    if (filled == blockLen) {
      done.add(current);
      current = new int[blockLen];
      filled = 0;
    }
  }

  /** The padded last block, if any tokens are waiting. */
  public List<int[]> finish() {
    if (filled == 0) {
      return List.of();
    }
    padded += blockLen - filled;
    while (filled < blockLen) {
      current[filled++] = SpecialTokens.PAD_ID;
    }
    int[] last = current;
    current = new int[blockLen];
    filled = 0;
    return List.of(last);
  }

  /** Pad tokens added so far. */
  public long padded() {
    return padded;
  }
}
