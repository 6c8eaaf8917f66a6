package dept.train.extend;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * What an extension task trains on: train blocks per source under the tokenizer each source uses
 * (at most steps x batch of each: a bounded sample, broadcast), and the tokenizers' tables. The
 * validation blocks stay a Dataset, read by the scoring job.
 *
 * @param newSource the source being added
 * @param newTokenizer its tokenizer: its own name, or {@code global}
 * @param originalTokenizers every original source and the tokenizer the base model reads it with
 * @param train train blocks per source (the new one and the originals)
 * @param vocabSizes per tokenizer
 * @param tokenBytes UTF-8 bytes per token id, per tokenizer (bits per byte)
 */
public record ExtensionData(String newSource, String newTokenizer, Map<String, String> originalTokenizers,
    Map<String, List<int[]>> train, Map<String, Integer> vocabSizes,
    Map<String, int[]> tokenBytes) implements Serializable {

  public String tokenizerOf(String source) {
    return source.equals(newSource) ? newTokenizer : originalTokenizers.get(source);
  }
}
