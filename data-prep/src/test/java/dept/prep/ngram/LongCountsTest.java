package dept.prep.ngram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LongCountsTest {

  @Test
  void countsLikeAHashMapThroughManyGrowths() {
    LongCounts counts = new LongCounts(4);
    Map<Long, Long> expected = new TreeMap<>();
    Random rnd = new Random(5);
    for (int i = 0; i < 200_000; i++) {
      long key = 1 + (rnd.nextInt(50_000) * 0x10000L); // clustered low bits: the hash has to spread them
      counts.increment(key);
      expected.merge(key, 1L, Long::sum);
    }
    Map<Long, Long> actual = new TreeMap<>();
    counts.forEach(actual::put);
    assertEquals(expected, actual);
    assertEquals(expected.size(), counts.size());
    assertThrows(IllegalArgumentException.class, () -> counts.increment(0));
  }
}
