package dept.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SconeStudyTest {

  private static final SconeStudy.Arms ARMS = new SconeStudy.Arms("spec", "spec-scone", List.of("spec-d96", "spec-layers5", "spec-h8"));

  /** A SPEC-family arm: {@code lookup} NaN for a plain one; the f-gram model's figure 0.5 off so a test sees which one is read. */
  private static Study.ArmRun run(long seed, String arm, String knob, long flops, long fgrams, int layers, double lookup, double plain) {
    boolean scone = !Double.isNaN(lookup);
    return new Study.ArmRun(seed, arm, scone ? "SPEC+SCONE" : "SPEC", Double.NaN, scone ? lookup + 0.5 : plain, 0, 1000, 100, 100, 1, 1, 1,
        knob, flops, fgrams, layers, lookup, scone ? fgrams * 256L : 0);
  }

  private static List<Study.ArmRun> runs() {
    List<Study.ArmRun> r = new ArrayList<>();
    double[] noise = {0.00, 0.02, -0.01};
    for (int s = 0; s < 3; s++) {
      double n = noise[s];
      r.add(run(s + 1, "spec", "main", 1_000_000, 0, 0, Double.NaN, 3.30 + n));
      r.add(run(s + 1, "spec-scone", "main", 1_000_000, 100_000, 1, 3.10 + n, 0));
      r.add(run(s + 1, "spec-scone-f1000", "fgrams", 1_000_000, 1000, 1, 3.20 + n, 0));
      r.add(run(s + 1, "spec-scone-f10000", "fgrams", 1_000_000, 10_000, 1, 3.15 + n + (s == 1 ? 0.004 : 0), 0));
      r.add(run(s + 1, "spec-scone-l2", "layers", 1_000_000, 100_000, 2, 3.10 + n + (s == 0 ? 0.01 : -0.01), 0));
      r.add(run(s + 1, "spec-d96", "larger", 2_000_000, 0, 0, Double.NaN, 3.00 + n));
      r.add(run(s + 1, "spec-layers5", "larger", 1_900_000, 0, 0, Double.NaN, 3.30 + n + (s == 0 ? 0.02 : -0.01)));
      r.add(run(s + 1, "spec-h8", "larger", 1_900_000, 0, 0, Double.NaN, 3.40 + n));
    }
    return r;
  }

  @Test
  void curvesRunFromNoSconeToEveryFgramInOrderOfTheKnob() {
    Map<String, List<Study.ArmRun>> byArm = Study.byArm(runs());
    assertEquals(List.of("spec", "spec-scone-f1000", "spec-scone-f10000", "spec-scone"),
        SconeStudy.curve(byArm, ARMS, "fgrams", Study.ArmRun::fgramsPerTable));
    assertEquals(List.of("spec", "spec-scone", "spec-scone-l2"), SconeStudy.curve(byArm, ARMS, "layers", r -> r.fgramLayers()));
  }

  @Test
  void recoveredShareIsTheSconeGainOverTheLargerModelsGainPerSeed() {
    // Per seed: (3.30 - 3.10) / (3.30 - 3.00) = 2/3 (the noise is shared by every arm of a seed).
    Study.Spread share = SconeStudy.recovered(runs(), "spec", "spec-scone", "spec-d96");
    assertEquals(2.0 / 3, share.mean(), 1e-9);
    assertEquals(3, share.n());
  }

  @Test
  void sectionsScoreSconeArmsThroughTheirTablesAndSeparateStepsFromNoise() {
    String md = SconeStudy.markdown(runs(), ARMS);
    // The inference path's figure (3.10 + noise), not the f-gram model's (0.5 higher in these runs).
    // Every f-gram is ~0.05 better than 10,000 on every seed: separated; depth 2 moves by ±0.01 across seeds: not.
    assertTrue(md.contains("| spec-scone | 100,000 | 25.60 | 3.1033 ± 0.0153 | -0.0513 ± 0.0023 | yes | -0.2000 ± 0.0000 | yes |"), md);
    assertTrue(md.contains("| spec-scone-l2 | 2 | 25.60 | 3.1000 ± 0.0173 | -0.0033 ± 0.0115 | no |"), md);
    assertTrue(md.contains("| spec-d96 | 2.000 | 2.00x |"), md);
    assertTrue(md.contains("| spec-scone − spec-d96 | +0.1000 ± 0.0000 | yes |"), md);
    assertTrue(md.contains("(spec − spec-scone) / (spec − spec-d96) per seed: 0.67 ± 0.00 (1 = as good as the larger model)."), md);
    // A larger model that does not beat the base gives no share (its denominator is noise), and the report says so.
    assertTrue(md.contains("spec-layers5 is not better than spec beyond seed noise at this budget (+0.0000 ± 0.0173 bits per byte)"), md);
    assertFalse(md.contains("(spec − spec-layers5) per seed"), md);
    assertTrue(md.contains("spec-h8 is worse than spec at this budget (+0.1000 ± 0.0000 bits per byte, beyond seed noise)"), md);
    assertTrue(md.contains("| spec-scone | 3 | 100,000 | 1 | 3.6033 ± 0.0153 | 3.1033 ± 0.0153 | 5.0e-01 | 25.60 | 100 |"), md);
    assertFalse(md.isEmpty());
    Map<String, byte[]> plots = SconeStudy.plots(runs(), ARMS);
    assertEquals(List.of("scone_fgrams.png", "scone_layers.png"), List.copyOf(plots.keySet()));
    assertTrue(plots.values().stream().allMatch(p -> p.length > 1000));
  }

  @Test
  void noSectionWithoutSconeArms() {
    assertEquals("", SconeStudy.markdown(runs().stream().filter(r -> !r.scone()).toList(), ARMS));
  }
}
