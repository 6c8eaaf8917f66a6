package dept.train.random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SeedsTest {

  @Test
  void sameInputsSameSeedAndEveryInputMatters() {
    assertEquals(Seeds.derive(7, "task", "en", 0), Seeds.derive(7, "task", "en", 0));
    Set<Long> seen = new HashSet<>();
    for (long run : new long[] {7, 8}) {
      for (String purpose : new String[] {"task", "embeddings"}) {
        for (String source : new String[] {"en", "de", "Aa", "BB"}) { // "Aa" and "BB" share String.hashCode
          for (int replica = 0; replica < 3; replica++) {
            seen.add(Seeds.derive(run, purpose, source, replica));
          }
        }
      }
    }
    assertEquals(2 * 2 * 4 * 3, seen.size(), "no two inputs collide");
    assertNotEquals(Seeds.derive(7, "task", 1, 2), Seeds.derive(7, "task", 2, 1), "the order of parts matters");
  }

  @Test
  void theDerivationIsPinned() {
    // Changing it changes every random stream of every run (and every figure): it must be deliberate.
    assertEquals(-4428961028229543406L, Seeds.derive(1234, "task", "en", 0));
    assertEquals(Seeds.derive(1234, "task", "en", 0), Seeds.derive(1234L, "task", "en", 0L), "int and long parts alike");
  }
}
