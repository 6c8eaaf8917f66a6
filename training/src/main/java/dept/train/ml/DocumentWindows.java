package dept.train.ml;

import dept.prep.tokenizer.SpecialTokens;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One document as the model scores it: {@code <|eos|>} (the separator training puts before every
 * document) then its tokens, cut into blocks of {@code seqLen + 1} that overlap by one token, so
 * every token of the document is predicted exactly once, with the context of its own block; the
 * last block is padded (padding is never a target).
 */
final class DocumentWindows {

  private DocumentWindows() {}

  static List<int[]> of(int[] tokens, int seqLen) {
    int[] seq = new int[tokens.length + 1];
    seq[0] = SpecialTokens.EOS_ID;
    System.arraycopy(tokens, 0, seq, 1, tokens.length);
    List<int[]> blocks = new ArrayList<>();
    for (int start = 0; start + 1 < seq.length; start += seqLen) {
      int[] block = new int[seqLen + 1];
      Arrays.fill(block, SpecialTokens.PAD_ID);
      System.arraycopy(seq, start, block, 0, Math.min(seqLen + 1, seq.length - start));
      blocks.add(block);
    }
    return blocks;
  }
}
