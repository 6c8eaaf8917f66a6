package dept.prep.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts pre-tokenized words of documents, splitting exactly as {@link BpeTokenizer#encode} does
 * (special-token literals are cut out, not counted), so training sees the words encoding will.
 */
public final class WordCounter {

  private final PreTokenizer preTokenizer;
  private final Map<String, Long> counts = new HashMap<>();
  private final List<String> words = new ArrayList<>();

  public WordCounter(PreTokenizer preTokenizer) {
    this.preTokenizer = preTokenizer;
  }

  public void add(String text) {
    int segment = 0;
    for (int i = text.indexOf("<|"); i >= 0; i = text.indexOf("<|", i + 1)) {
      int special = SpecialTokens.at(text, i);
      if (special >= 0) {
        addOrdinary(text.substring(segment, i));
        segment = i + SpecialTokens.ALL.get(special).length();
        i = segment - 1;
      }
    }
    addOrdinary(segment == 0 ? text : text.substring(segment));
  }

  private void addOrdinary(String text) {
    words.clear();
    preTokenizer.split(text, words);
    for (String w : words) {
      counts.merge(w, 1L, Long::sum);
    }
  }

  public Map<String, Long> counts() {
    return counts;
  }
}
