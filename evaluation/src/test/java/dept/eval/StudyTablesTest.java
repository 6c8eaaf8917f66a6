package dept.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StudyTablesTest {

  private static Study.ArmRun run(long seed, String arm, double bpb) {
    return new Study.ArmRun(seed, arm, arm.toUpperCase(), Double.NaN, bpb, Math.log(0.5), 1000, arm.equals("glob") ? 4000 : 1000,
        arm.equals("glob") ? 4000 : 1000, arm.equals("glob") ? 8_000_000 : 2_000_000, 2_000_000, 10, "main", 1_000_000, 0, 0, Double.NaN, 0);
  }

  @Test
  void spreadIsTheSampleStandardDeviation() {
    Study.Spread s = Study.Spread.of(new double[] {1, 2, 3});
    assertEquals(2.0, s.mean(), 1e-12);
    assertEquals(1.0, s.sd(), 1e-12);
    assertEquals(3, s.n());
  }

  @Test
  void aConsistentPairedDifferenceIsSeparatedAndNoiseIsNot() {
    List<Study.ArmRun> runs = List.of(run(1, "spec", 3.00), run(2, "spec", 3.10), run(3, "spec", 2.95),
        run(1, "glob", 3.05), run(2, "glob", 3.16), run(3, "glob", 2.99),
        run(1, "trim", 3.05), run(2, "trim", 3.02), run(3, "trim", 2.99));
    Study.Difference consistent = Study.difference(runs, "spec", "glob");
    assertEquals(-0.05, consistent.diff().mean(), 1e-9);
    assertTrue(consistent.separated(), "spec is better on every seed by about the same margin");
    // Arm spreads overlap here, but pairing by seed removes the shared seed effect.
    assertTrue(Study.spread(runs.subList(0, 3), Study.ArmRun::bitsPerByte).sd() > 0.05);
    Study.Difference noise = Study.difference(runs, "spec", "trim");
    assertFalse(noise.separated(), "differences of mixed sign are within the noise: " + noise);
  }

  @Test
  void armsTableGivesRatiosAgainstTheReference() {
    List<Study.ArmRun> runs = List.of(run(1, "glob", 3.0), run(2, "glob", 3.1), run(1, "spec", 2.9), run(2, "spec", 2.95));
    String md = Study.armsMarkdown(runs, "glob");
    assertTrue(md.contains("| spec | 2 | 2.9250 ± 0.0354 | 0.500 (x/÷ 1.000) |"), md);
    assertTrue(md.contains("| 4.00x less |"), md);
  }

  @Test
  void extensionTableReportsLearningAndForgetting() {
    String md = Study.extensionMarkdown("el", List.of(new Study.ExtensionRun(1, "neutral", 3.0, 2.5, 0.01, 0.03),
        new Study.ExtensionRun(2, "neutral", 3.2, 2.6, 0.03, 0.05)));
    assertTrue(md.contains("| neutral | 2 | 3.100 ± 0.141 | 2.550 ± 0.071 | 0.550 ± 0.071 | +0.0200 ± 0.0141 | +0.0400 ± 0.0141 |"), md);
  }
}
