package dept.train.extend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code extend.sweep} expanded into trials: the main ones first, the frontier, the alpha sweep, the data mixes, no duplicates. */
class ExtensionTrialsTest {

  private static ExtendConfig config(List<String> methods, ExtensionSweep sweep) {
    return new ExtendConfig(null, "el", methods, 10, 0.1, 1.0, null, null, null, 2e-3, null, null, 7L, sweep);
  }

  @Test
  void withoutASweepEachMethodRunsOnceUnderItsName() {
    List<ExtensionTrial> trials = config(List.of("neutral", "adapter"), null).trials();
    assertEquals(List.of("neutral", "adapter"), trials.stream().map(ExtensionTrial::label).toList());
    assertTrue(trials.stream().allMatch(t -> t.main() && t.lr() == 2e-3 && t.alpha() == 1.0 && t.originalFraction() == 0.1));
  }

  @Test
  void theSweepAddsTheFrontierTheAlphasAndTheDataMixesOnce() {
    ExtensionSweep sweep = new ExtensionSweep(null, List.of(6e-4, 2e-3), List.of(0.0, 1.0), List.of(0.0, 0.1));
    List<ExtensionTrial> trials = config(List.of("neutral", "adapter"), sweep).trials();
    assertEquals(List.of("neutral", "adapter", "neutral_lr0.0006_a1_f0.1", "adapter_lr0.0006_a1_f0.1", "neutral_lr0.002_a0_f0.1",
        "neutral_lr0.002_a1_f0", "adapter_lr0.002_a1_f0"), trials.stream().map(ExtensionTrial::label).toList(),
        "lr 2e-3, alpha 1 and fraction 0.1 are the main trials' own: not repeated");
    ExtensionTrial alpha0 = trials.get(4);
    assertEquals(ExtensionMethod.NEUTRAL, alpha0.method());
    ExtendConfig trained = alpha0.configOf(config(List.of("neutral", "adapter"), sweep));
    assertEquals(0.0, trained.alpha());
    assertEquals(2e-3, trained.lr());
    assertEquals(7L, trained.seed(), "every trial draws the same seeded batch stream");
  }

  @Test
  void sweepMethodsLimitWhatIsSwept() {
    ExtensionSweep sweep = new ExtensionSweep(List.of("adapter"), List.of(6e-3), List.of(0.0), List.of(1.0));
    List<String> labels = config(List.of("neutral", "adapter", "lora"), sweep).trials().stream().map(ExtensionTrial::label).toList();
    assertEquals(List.of("neutral", "adapter", "lora", "adapter_lr0.006_a1_f0.1", "adapter_lr0.002_a1_f1"), labels,
        "alphas sweep neutral residues only, and neutral is not swept here");
  }

  @Test
  void badSweepValuesNameTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ExtensionSweep(null, List.of(-1.0), null, List.of(1.5)));
    assertTrue(e.getMessage().startsWith("extend.sweep:"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new ExtensionSweep(List.of("prefix"), null, null, null));
  }
}
