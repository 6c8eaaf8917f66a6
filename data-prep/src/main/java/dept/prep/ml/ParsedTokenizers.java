package dept.prep.ml;

import dept.prep.tokenizer.BpeTokenizer;
import dept.prep.tokenizer.TokenizerJson;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tokenizers of the stages and SQL functions as executors use them: parsed from their JSON once
 * per executor thread and reused by every task and row that thread runs. Per thread because a
 * {@link BpeTokenizer} keeps scratch arrays and a word cache: two tasks sharing one encode wrong ids.
 */
public final class ParsedTokenizers {

  /** Tokenizers kept per thread (by key and source), least recently used dropped first. */
  private static final int KEPT = 32;

  private static final ThreadLocal<Map<String, BpeTokenizer>> PARSED = ThreadLocal.withInitial(
      () -> new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, BpeTokenizer> eldest) {
          return size() > KEPT;
        }
      });

  private ParsedTokenizers() {}

  /**
   * {@code source}'s tokenizer for this thread; null when {@code json} has none for it (or the source is null).
   *
   * @param key identifies {@code json} (a model's uid): tokenizers of different models never mix
   */
  public static BpeTokenizer get(String key, String source, Map<String, String> json) {
    String text = source == null ? null : json.get(source);
    return text == null ? null : PARSED.get().computeIfAbsent(key + "/" + source, k -> TokenizerJson.read(text));
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
