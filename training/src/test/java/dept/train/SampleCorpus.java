package dept.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import dept.prep.ingest.ContentHash;
import dept.prep.pack.BlockPacker;
import dept.prep.tokenizer.BpeModel;
import dept.prep.tokenizer.BpeTokenizer;
import dept.prep.tokenizer.BpeTrainer;
import dept.prep.tokenizer.PreTokenizer;
import dept.prep.tokenizer.WordCounter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The training tests' fixture: one language of the embedded sample, its own BPE, packed blocks. */
public final class SampleCorpus {

  /** A language's documents in file order, split 85 / 15 by content hash (as ingest splits). */
  public record Split(List<String> train, List<String> val) {}

  private SampleCorpus() {}

  public static Split documents(String lang) throws IOException {
    List<String> train = new ArrayList<>();
    List<String> val = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(Path.of("../data-prep/sample/sample.jsonl"))) {
      var doc = json.readTree(line);
      if (doc.get("lang").asText().equals(lang)) {
        String text = doc.get("text").asText();
        (ContentHash.isValidation(ContentHash.of(text), 0.15) ? val : train).add(text);
      }
    }
    return new Split(train, val);
  }

  /** Byte-level BPE trained on {@code docs} (pairs seen at least twice). */
  public static BpeModel bpe(List<String> docs, int vocabSize) {
    WordCounter words = new WordCounter(PreTokenizer.standard());
    docs.forEach(words::add);
    return new BpeTrainer(vocabSize, 2).fit(words.counts()).model();
  }

  /** {@code docs} encoded with {@code bpe} and packed into blocks of {@code seqLen} + 1 tokens. */
  public static List<int[]> blocks(List<String> docs, BpeModel bpe, int seqLen) {
    BpeTokenizer tokenizer = new BpeTokenizer(PreTokenizer.standard(), bpe);
    BlockPacker packer = new BlockPacker(seqLen);
    List<int[]> blocks = new ArrayList<>();
    docs.forEach(d -> blocks.addAll(packer.add(tokenizer.encode(d))));
    blocks.addAll(packer.finish());
    return blocks;
  }
}
