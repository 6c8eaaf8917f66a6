package dept.prep.ngram;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FgramMatcherTest {

  /** The longest f-gram (id < maxId) ending at {@code end}, by scanning all of them. */
  private static int bruteForce(List<int[]> fgrams, int[] tokens, int end, int maxId) {
    int best = FgramMatcher.NONE;
    int bestLen = 0;
    for (int id = 0; id < Math.min(maxId, fgrams.size()); id++) {
      int[] f = fgrams.get(id);
      int from = end - f.length + 1;
      if (from < 0 || f.length <= bestLen) {
        continue;
      }
      boolean match = true;
      for (int i = 0; i < f.length && match; i++) {
        match = tokens[from + i] == f[i];
      }
      if (match) {
        best = id;
        bestLen = f.length;
      }
    }
    return best;
  }

  @Test
  void equalsABruteForceLongestSuffixSearchOnRandomSequences() {
    Random rnd = new Random(9);
    for (int trial = 0; trial < 20; trial++) {
      int vocab = 3 + rnd.nextInt(trial < 10 ? 6 : 70_000); // dense and sparse alphabets
      int[] tokens = rnd.ints(400, 0, vocab).toArray();
      Set<List<Integer>> seen = new HashSet<>();
      List<int[]> fgrams = new ArrayList<>();
      for (int k = 0; k < 300; k++) {
        int n = 2 + rnd.nextInt(4);
        int from = rnd.nextInt(tokens.length - n);
        int[] f = rnd.nextBoolean() ? java.util.Arrays.copyOfRange(tokens, from, from + n) : rnd.ints(n, 0, vocab).toArray();
        if (seen.add(java.util.Arrays.stream(f).boxed().toList())) {
          fgrams.add(f);
        }
      }
      FgramMatcher m = new FgramMatcher(fgrams);
      int[] out = new int[tokens.length];
      m.matchAll(tokens, out);
      for (int end = 0; end < tokens.length; end++) {
        assertEquals(bruteForce(fgrams, tokens, end, Integer.MAX_VALUE), out[end], "trial " + trial + " end " + end);
        assertEquals(bruteForce(fgrams, tokens, end, 50), m.longest(tokens, end, 50), "top-50, end " + end);
      }
      assertArrayEquals(fgrams.get(7), m.fgram(7));
    }
  }

  @Test
  void rejectsUnigramsAndDuplicates() {
    assertThrows(IllegalArgumentException.class, () -> new FgramMatcher(List.of(new int[] {5})));
    assertThrows(IllegalArgumentException.class, () -> new FgramMatcher(List.of(new int[] {5, 6}, new int[] {5, 6})));
  }
}
