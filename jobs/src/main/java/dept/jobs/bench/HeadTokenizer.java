package dept.jobs.bench;

import dept.prep.tokenizer.BpeTokenizer;
import dept.prep.tokenizer.BpeTrainer;
import dept.prep.tokenizer.PreTokenizer;
import dept.prep.tokenizer.WordCounter;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The benchmarks' tokenizer: byte-level BPE trained on the first ~2 MB of the sampled documents. */
final class HeadTokenizer {

  private static final long HEAD_BYTES = 2_000_000;

  private HeadTokenizer() {}

  static BpeTokenizer train(List<String> documents, int vocabSize) {
    WordCounter words = new WordCounter(PreTokenizer.standard());
    long bytes = 0;
    for (String d : documents) {
      if (bytes > HEAD_BYTES) {
        break;
      }
      words.add(d);
      bytes += d.getBytes(StandardCharsets.UTF_8).length;
    }
    return new BpeTokenizer(PreTokenizer.standard(), new BpeTrainer(vocabSize, 2).fit(words.counts()).model());
  }
}
