package dept.prep.tokenizer;

import java.util.List;

/**
 * The special tokens and their fixed ids, first in every vocabulary. Like HF tokenizers' added
 * tokens, their literal text in the input is encoded as the special id.
 */
public final class SpecialTokens {

  public static final String BOS = "<|bos|>";
  public static final String EOS = "<|eos|>";
  public static final String PAD = "<|pad|>";

  public static final int BOS_ID = 0;
  public static final int EOS_ID = 1;
  public static final int PAD_ID = 2;

  /** In id order. */
  public static final List<String> ALL = List.of(BOS, EOS, PAD);

  private SpecialTokens() {}

  /** The id of the special token starting at {@code at}, or -1. */
  static int at(String text, int at) {
    if (!text.startsWith("<|", at)) {
      return -1;
    }
    for (int id = 0; id < ALL.size(); id++) {
      if (text.startsWith(ALL.get(id), at)) {
        return id;
      }
    }
    return -1;
  }
}
