package dept.prep.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our tokenizer.json loads in HF tokenizers (Rust, through DJL) and encodes every document of the
 * sample corpus to the same ids; decode(encode(x)) == x for hostile random strings.
 */
class HfCompatibilityTest {

  private static List<String> documents;
  private static BpeTokenizer ours;
  private static HuggingFaceTokenizer hf;
  private static String json;

  @TempDir static Path dir;

  @BeforeAll
  static void trainOnTheSample() throws IOException {
    documents = new ArrayList<>();
    ObjectMapper mapper = new ObjectMapper();
    for (String line : Files.readAllLines(Path.of("sample/sample.jsonl"))) {
      documents.add(mapper.readTree(line).get("text").asText());
    }
    WordCounter counter = new WordCounter(PreTokenizer.standard());
    documents.forEach(counter::add);
    BpeModel model = new BpeTrainer(3000, 2).fit(counter.counts()).model();
    ours = new BpeTokenizer(PreTokenizer.standard(), model);
    json = TokenizerJson.write(ours);
    Path file = dir.resolve("tokenizer.json");
    Files.writeString(file, json);
    hf = HuggingFaceTokenizer.builder().optTokenizerPath(file).optAddSpecialTokens(false).optTruncation(false).build();
  }

  private static int[] hfIds(String text) {
    long[] ids = hf.encode(text, false, false).getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = (int) ids[i];
    }
    return out;
  }

  @Test
  void hfEncodesEverySampleDocumentToOurIds() {
    assertEquals(3000, ours.vocabSize());
    for (int d = 0; d < documents.size(); d++) {
      String doc = documents.get(d);
      assertArrayEquals(hfIds(doc), ours.encode(doc), "document " + d + ": " + doc.substring(0, Math.min(80, doc.length())));
    }
  }

  @Test
  void specialTokenTextEncodesToTheSpecialIdsLikeHf() {
    String text = "end<|eos|>start <|bos|>x<|pad|><|nope|>";
    assertArrayEquals(hfIds(text), ours.encode(text));
    int[] ids = ours.encode(text);
    assertTrue(java.util.Arrays.stream(ids).anyMatch(i -> i == SpecialTokens.EOS_ID));
  }

  @Test
  void decodeInvertsEncodeOnHostileRandomText() {
    Random rnd = new Random(42);
    int[][] ranges = {
      {0x20, 0x7E}, {0x09, 0x0D}, {0x01, 0x1F}, {0x300, 0x36F}, {0x590, 0x5FF}, {0x600, 0x6FF},
      {0x4E00, 0x9FFF}, {0x3040, 0x30FF}, {0x400, 0x4FF}, {0x1F300, 0x1FAFF}, {0x200B, 0x200F},
      {0xA0, 0xFF}, {0x2000, 0x206F}
    };
    for (int trial = 0; trial < 300; trial++) {
      StringBuilder sb = new StringBuilder();
      int len = rnd.nextInt(trial % 10 == 0 ? 5000 : 200);
      while (sb.length() < len) {
        int[] r = ranges[rnd.nextInt(ranges.length)];
        int cp = r[0] + rnd.nextInt(r[1] - r[0] + 1);
        if (Character.isDefined(cp) && !Character.isSurrogate((char) cp)) {
          sb.appendCodePoint(cp);
        }
      }
      String text = sb.toString();
      assertEquals(text, ours.decode(ours.encode(text)), "trial " + trial);
      assertEquals(text, hf.decode(java.util.Arrays.stream(ours.encode(text)).asLongStream().toArray(), false));
    }
    String longWord = "a".repeat(20_000) + "\u0301" + "\u05d0".repeat(5_000);
    assertEquals(longWord, ours.decode(ours.encode(longWord)));
    assertArrayEquals(hfIds(longWord), ours.encode(longWord));
  }

  @Test
  void jsonRoundTripsByteIdentically() {
    BpeTokenizer read = TokenizerJson.read(json);
    assertEquals(json, TokenizerJson.write(read));
    assertArrayEquals(ours.encode(documents.get(5)), read.encode(documents.get(5)));
  }

  @Test
  void trainingIsDeterministic() {
    WordCounter counter = new WordCounter(PreTokenizer.standard());
    documents.forEach(counter::add);
    BpeModel again = new BpeTrainer(3000, 2).fit(counter.counts()).model();
    assertEquals(json, TokenizerJson.write(new BpeTokenizer(PreTokenizer.standard(), again)));
  }

  @Test
  void preTokenizerKeepsScriptsApartAndIndentationAsTokens() {
    PreTokenizer p = PreTokenizer.standard();
    assertEquals(List.of("日本語", "の", "テキスト", "です"), p.split("日本語のテキストです"));
    assertEquals(List.of("def", " f", "():", "\n   ", " return", " 1"), p.split("def f():\n    return 1"));
    assertEquals(List.of("שָׁלוֹם", " עוֹלָם"), p.split("שָׁלוֹם עוֹלָם"));
    assertEquals(List.of("I", "'m", " 123", "4", " ok", "!"), p.split("I'm 1234 ok!"));
  }
}
