package dept.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The curves' gap table pairs arms by seed at each round and says when a gap is beyond seed noise;
 * the held-row section appears only for arms whose two figures differ; the learning-rate section
 * compares each rate with the config's, paired by seed.
 */
class LearningCurvesTest {

  private static List<LearningCurves.Point> points() {
    List<LearningCurves.Point> p = new ArrayList<>();
    for (long seed = 1; seed <= 3; seed++) {
      double noise = seed * 0.001;
      for (int round = 0; round <= 4; round += 2) {
        long tokens = round * 1000L;
        p.add(new LearningCurves.Point(seed, "std-dp-t0.3", round, tokens, 4.0 - 0.2 * round + noise, 4.0 - 0.2 * round + noise, 0, 100));
        // spec starts behind and ends ahead: the gap changes sign with the budget
        p.add(new LearningCurves.Point(seed, "spec", round, tokens, 4.2 - 0.3 * round + noise, 4.2 - 0.3 * round + noise, 0, 100));
        p.add(new LearningCurves.Point(seed, "trim", round, tokens, 4.1 - 0.2 * round, 4.5 - 0.2 * round, 3, 100));
      }
    }
    return p;
  }

  @Test
  void gapsArePairedBySeedAtEveryRound() {
    String md = LearningCurves.markdown(points(), "std-dp-t0.3");
    assertTrue(md.contains("| 2 | 2,000 | -0.0000 ± 0.0000 |") || md.contains("| 2 | 2,000 | +0.0000"), md);
    assertTrue(md.contains("| 4 | 4,000 | -0.2000 ± 0.0000 * |"), "spec 0.2 ahead at round 4 in every seed: " + md);
    assertTrue(md.contains("| 4 | 4,000 |"), md);
    assertTrue(LearningCurves.plot(points()).length > 1000);
  }

  @Test
  void heldRowsSectionOnlyForArmsScoredOverSomeRows() {
    String md = LearningCurves.rowsMarkdown(points());
    assertTrue(md.contains("| trim | 3.3000 ± 0.0000 | 3.7000 ± 0.0000 | 3 of 100 (3.000%) |"), md);
    assertTrue(!md.contains("| spec |"), md);
  }

  @Test
  void averagingCostIsAggregatedMinusLocalPairedOverSeeds() {
    List<AveragingCost.Point> points = new ArrayList<>();
    for (long seed = 1; seed <= 3; seed++) {
      points.add(new AveragingCost.Point(seed, "glob", 2, "de", 3.0, 3.3 + seed * 0.01));
      points.add(new AveragingCost.Point(seed, "glob", 2, "en", 3.0, 3.1 + seed * 0.01));
    }
    String md = AveragingCost.markdown(points);
    assertTrue(md.contains("| glob | +0.2200 ± 0.0100 * |"), md);
    assertEquals("", AveragingCost.markdown(List.of()));
    assertTrue(AveragingCost.plot(points).length > 1000);
  }

  @Test
  void learningRatesAreComparedWithTheConfigRate() {
    List<LrRobustness.Run> runs = new ArrayList<>();
    for (long seed = 1; seed <= 3; seed++) {
      runs.add(new LrRobustness.Run(seed, "spec", 3e-3, 3.0 + seed * 0.01, 0));
      runs.add(new LrRobustness.Run(seed, "spec", 3e-2, 3.5 + seed * 0.01, 2));
    }
    String md = LrRobustness.markdown(runs, 3e-3);
    assertTrue(md.contains("| spec | 0.03 | 3.5200 ± 0.0100 | +0.5000 ± 0.0000 * | 6 |"), md);
    assertEquals("", LrRobustness.markdown(runs.stream().filter(r -> r.lr() == 3e-3).toList(), 3e-3), "one rate: no section");
  }
}
