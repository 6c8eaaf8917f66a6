package dept.prep.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BpeTrainerTest {

  private static int b(char c) {
    return BpeModel.FIRST_BYTE_ID + c;
  }

  @Test
  void mergesTheMostFrequentPairFirstAndStopsAtTheVocabSize() {
    // ab: 5 + 3 = 8, bc: 3, then (ab)c: 3.
    BpeTrainer.Result r = new BpeTrainer(BpeModel.FIRST_MERGE_ID + 2, 1).fit(Map.of("ab", 5L, "abc", 3L));
    int ab = BpeModel.FIRST_MERGE_ID;
    assertArrayEquals(new int[][] {{b('a'), b('b'), ab}, {ab, b('c'), ab + 1}}, r.model().merges());
    assertEquals(8, r.tokenCounts()[ab]);
    assertEquals(3, r.tokenCounts()[ab + 1]);
    assertEquals(8, r.tokenCounts()[b('a')]);
  }

  @Test
  void overlappingPairsAreCountedAndMergedLeftToRight() {
    BpeTrainer.Result r = new BpeTrainer(BpeModel.FIRST_MERGE_ID + 1, 1).fit(Map.of("aaa", 2L));
    assertArrayEquals(new int[] {b('a'), b('a'), BpeModel.FIRST_MERGE_ID}, r.model().merges()[0]);
    assertEquals(4, r.tokenCounts()[BpeModel.FIRST_MERGE_ID], "aa occurs twice in aaa (counted as pairs)");
    assertArrayEquals(new int[] {BpeModel.FIRST_MERGE_ID, b('a')}, r.model().encodeWord("aaa".getBytes()));
  }

  @Test
  void tiesBreakBySmallerPairSoTrainingIsDeterministic() {
    BpeTrainer.Result r = new BpeTrainer(BpeModel.FIRST_MERGE_ID + 1, 1).fit(Map.of("yz", 4L, "bc", 4L));
    assertArrayEquals(new int[] {b('b'), b('c'), BpeModel.FIRST_MERGE_ID}, r.model().merges()[0]);
  }

  @Test
  void aMergeWhoseBytesAlreadyExistReusesTheToken() {
    // "abc" forms first from (ab, c); the pair (a, bc) in "xabc"-like words then yields the same bytes.
    Map<String, Long> words = Map.of("abc", 10L, "bcd", 9L, "ab", 8L, "abcd", 1L);
    BpeTrainer.Result r = new BpeTrainer(BpeModel.FIRST_MERGE_ID + 20, 1).fit(words);
    BpeModel m = r.model();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int id = BpeModel.FIRST_BYTE_ID; id < m.vocabSize(); id++) {
      assertEquals(true, seen.add(new String(m.tokenBytes(id), java.nio.charset.StandardCharsets.ISO_8859_1)), "duplicate token " + id);
    }
  }

  @Test
  void stopsWhenNoPairIsFrequentEnough() {
    BpeTrainer.Result r = new BpeTrainer(1000, 2).fit(Map.of("ab", 1L, "cd", 1L, "ef", 3L));
    assertEquals(1, r.model().merges().length);
  }

  @Test
  void rejectsAVocabularySmallerThanTheBytes() {
    assertThrows(IllegalArgumentException.class, () -> new BpeTrainer(100, 2));
  }
}
