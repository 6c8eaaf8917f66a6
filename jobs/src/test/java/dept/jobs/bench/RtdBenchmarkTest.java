package dept.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.train.model.ModelConfig;
import dept.train.rtd.RtdConfig;
import dept.train.rtd.RtdEvaluator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The arithmetic of {@code dept bench rtd}'s step timing, on figures given by hand. */
class RtdBenchmarkTest {

  private static RtdBenchmark.Timing timing(double threshold, double ms, long macs, double auc) {
    RtdEvaluator.Row row = new RtdEvaluator.Row(threshold, 100, 15, 0.9, auc, 0, 0, 0.85, 0.9, 1);
    return new RtdBenchmark.Timing(threshold, ms, macs, macs / 1000.0, macs / 1000.0, row);
  }

  @Test
  void theBestThresholdIsTheFastestWithinTheAucToleranceOfNoExit() {
    List<RtdBenchmark.Timing> timings = List.of(timing(1.0, 140, 1000, 0.857), timing(0.9, 115, 700, 0.850),
        timing(0.8, 100, 560, 0.848), timing(0.7, 80, 450, 0.84));
    RtdBenchmark.Timing best = RtdBenchmark.Timing.best(timings, 0.01);
    assertEquals(0.8, best.threshold(), "0.7 is faster but loses 0.017 AUC; 0.8 loses 0.009");
  }

  @Test
  void aThresholdAboveTheToleranceNeverWinsAndNoExitIsTheFallback() {
    List<RtdBenchmark.Timing> timings = List.of(timing(1.0, 140, 1000, 0.857), timing(0.7, 80, 450, 0.80));
    assertEquals(1.0, RtdBenchmark.Timing.best(timings, 0.01).threshold());
    assertEquals(1.75, timings.get(1).speedUp(timings.get(0)), 1e-12);
  }

  @Test
  void theTablePrintsSpeedUpAndTheSharesAsPercentages() {
    RtdBenchmark bench = new RtdBenchmark(null, new RtdBenchmark.Setup(new ModelConfig(32, 2, 2, 4), 16, 4, 1, List.of(1L),
        RtdConfig.defaults(), 0.9, List.of(1.0, 0.7), 2));
    String table = bench.timingTable(List.of(timing(1.0, 140, 1000, 0.857), timing(0.7, 70, 450, 0.858)));
    assertTrue(table.contains("0.700            70.0     2.00x           45.0%          45.0%"), table);
  }
}
