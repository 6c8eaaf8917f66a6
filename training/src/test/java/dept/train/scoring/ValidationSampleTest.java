package dept.train.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dept.prep.SparkTestSession;
import dept.prep.pack.TokenArrays;
import dept.prep.tokenizer.SpecialTokens;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * The same three documents packed under a one-byte-per-token and a two-bytes-per-token
 * tokenizer: a whole-document sample scores the same documents, every token of them once, and the
 * same bytes under both; the first-blocks sample does not.
 */
class ValidationSampleTest {

  private static final int SEQ = 4; // blocks of 5 tokens
  private static final int[] DOC_BYTES = {6, 4, 8};

  /** Token ids 3.. of {@code perToken} bytes each; every document followed by EOS; cut every SEQ + 1; the last padded. */
  private static List<int[]> packed(int perToken) {
    List<Integer> stream = new ArrayList<>();
    int id = 3;
    for (int bytes : DOC_BYTES) {
      for (int b = 0; b < bytes; b += perToken) {
        stream.add(id++);
      }
      stream.add(SpecialTokens.EOS_ID);
    }
    List<int[]> blocks = new ArrayList<>();
    for (int from = 0; from < stream.size(); from += SEQ + 1) {
      int[] block = new int[SEQ + 1];
      Arrays.fill(block, SpecialTokens.PAD_ID);
      for (int i = 0; i < block.length && from + i < stream.size(); i++) {
        block[i] = stream.get(from + i);
      }
      blocks.add(block);
    }
    return blocks;
  }

  private static int[] bytesPerId(int perToken) {
    int[] bytes = new int[64];
    Arrays.fill(bytes, 3, 64, perToken);
    return bytes; // specials stand for no bytes
  }

  /** Per unit: {scored bytes, scored targets} as the Evaluator counts them (positions 1.., pad not a target). */
  private static Map<String, long[]> scored(ValidationSample sample) {
    Map<String, List<int[]>> units = Map.of("bytes", packed(1), "pairs", packed(2));
    Map<String, int[]> tokenBytes = Map.of("bytes", bytesPerId(1), "pairs", bytesPerId(2));
    Map<String, long[]> out = new TreeMap<>();
    for (Row r : sample.select(ScoringBlocks.of(SparkTestSession.get(), units), tokenBytes).collectAsList()) {
      int[] w = TokenArrays.ints(r.getList(r.fieldIndex("tokens")));
      long[] sums = out.computeIfAbsent(r.getString(0), u -> new long[2]);
      for (int i = 1; i < w.length; i++) {
        sums[0] += tokenBytes.get(r.getString(0))[w[i]];
        sums[1] += w[i] == SpecialTokens.PAD_ID ? 0 : 1;
      }
    }
    return out;
  }

  @Test
  void wholeDocumentsScoreTheSameBytesUnderEveryTokenizer() {
    Map<String, long[]> s = scored(new ValidationSample(0, 10));
    // Documents 1 and 2 (6 + 4 bytes); the third would pass the cap.
    assertEquals(10, s.get("bytes")[0]);
    assertEquals(10, s.get("pairs")[0]);
    // Every token of both documents and their two EOS is a target once.
    assertEquals(6 + 1 + 4 + 1, s.get("bytes")[1]);
    assertEquals(3 + 1 + 2 + 1, s.get("pairs")[1]);
  }

  @Test
  void aCapBelowTheFirstDocumentStillScoresIt() {
    Map<String, long[]> s = scored(new ValidationSample(0, 1));
    assertEquals(6, s.get("bytes")[0]);
    assertEquals(6, s.get("pairs")[0]);
  }

  @Test
  void firstBlocksEndAtDifferentTextUnderDifferentTokenizers() {
    Map<String, long[]> s = scored(new ValidationSample(2, 0));
    // 2 blocks of 5 tokens, 4 targets each: 8 one-byte targets (minus EOS) vs 8 two-byte ones.
    assertNotEquals(s.get("bytes")[0], s.get("pairs")[0]);
  }
}
