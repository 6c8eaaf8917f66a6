package dept.prep.ml;

import dept.prep.tokenizer.BpeTokenizer;
import dept.prep.tokenizer.TokenizerJson;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tokenizers of the stages and SQL functions as executors use them: parsed from their JSON once
 * per JVM (by model uid and source) and reused by every task and row.
 */
final class ParsedTokenizers {

  private static final Map<String, BpeTokenizer> PARSED = new ConcurrentHashMap<>();

  private ParsedTokenizers() {}

  /** {@code source}'s tokenizer; null when {@code json} has none for it (or the source is null). */
  static BpeTokenizer get(String uid, String source, Map<String, String> json) {
    String text = source == null ? null : json.get(source);
    return text == null ? null : PARSED.computeIfAbsent(uid + "/" + source, k -> TokenizerJson.read(text));
  }

  /** Token ids as Spark hands an {@code array<int>} to a UDF, decoded; null for null ids or no tokenizer. */
  static String decode(BpeTokenizer tokenizer, scala.collection.Seq<Integer> ids) {
    if (tokenizer == null || ids == null) {
      return null;
    }
    int[] tokens = new int[ids.size()];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = ids.apply(i);
    }
    return tokenizer.decode(tokens);
  }
}
