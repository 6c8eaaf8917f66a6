package dept.prep.pack;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dept.prep.tokenizer.BpeTokenizer;
import dept.prep.tokenizer.TokenizerJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Encodes text to token ids with one tokenizer.json: our encoder or HF tokenizers'. */
public interface TokenEncoder extends AutoCloseable {

  int[] encode(String text);

  @Override
  default void close() {}

  /** An encoder of {@code kind} for a tokenizer.json text. */
  static TokenEncoder of(TokenizeConfig.Encoder kind, String tokenizerJson) {
    if (kind == TokenizeConfig.Encoder.DEPT) {
      BpeTokenizer t = TokenizerJson.read(tokenizerJson);
      return t::encode;
    }
    return new Hf(tokenizerJson);
  }

  /** HF tokenizers (Rust) through DJL, without special tokens or truncation. */
  final class Hf implements TokenEncoder {
    private final HuggingFaceTokenizer tokenizer;

    Hf(String json) {
      try {
        Path file = Files.createTempFile("tokenizer-", ".json");
        Files.writeString(file, json);
        tokenizer = HuggingFaceTokenizer.builder().optTokenizerPath(file)
            .optAddSpecialTokens(false).optTruncation(false).build();
        Files.delete(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public int[] encode(String text) {
      long[] ids = tokenizer.encode(text, false, false).getIds();
      int[] out = new int[ids.length];
      for (int i = 0; i < ids.length; i++) {
        out[i] = (int) ids[i];
      }
      return out;
    }

    @Override
    public void close() {
      tokenizer.close();
    }
  }
}
