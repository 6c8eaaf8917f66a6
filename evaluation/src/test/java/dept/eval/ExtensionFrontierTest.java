package dept.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

/** The sweep's points: per trial over seeds, sliced into the frontier, the alpha sweep and the data mix. */
class ExtensionFrontierTest {

  private static final org.apache.spark.sql.types.StructType RESULTS = ExtensionFrontier.RESULTS.add("seed", DataTypes.LongType);
  private static final org.apache.spark.sql.types.StructType GATES = ExtensionFrontier.GATES.add("seed", DataTypes.LongType);

  private static void trial(List<Row> rows, List<Row> gates, long seed, String label, String method, double lr, double alpha, double frac,
      double newAfter, double enAfter, double deAfter, double outOld, double outNew) {
    rows.add(new GenericRowWithSchema(new Object[] {label, lr, alpha, frac, method, "el", "new", 3.0, newAfter, newAfter - 3.0, 10L, 2L, 1.0,
        seed}, RESULTS));
    rows.add(new GenericRowWithSchema(new Object[] {label, lr, alpha, frac, method, "en", "original", 2.0, enAfter, enAfter - 2.0, 10L, 2L,
        1.0, seed}, RESULTS));
    rows.add(new GenericRowWithSchema(new Object[] {label, lr, alpha, frac, method, "de", "original", 2.5, deAfter, deAfter - 2.5, 10L, 2L,
        1.0, seed}, RESULTS));
    if (outOld >= 0) {
      for (int layer = 0; layer < 2; layer++) {
        gates.add(new GenericRowWithSchema(new Object[] {label, lr, alpha, frac, method, "original", layer, 0.5, 0.5, outOld * (layer + 1),
            seed}, GATES));
        gates.add(new GenericRowWithSchema(new Object[] {label, lr, alpha, frac, method, "new", layer, 1.0, 0.9, outNew * (layer + 1), seed},
            GATES));
      }
    }
  }

  @Test
  void pointsAverageSeedsAndSliceBySetting() {
    List<Row> rows = new ArrayList<>();
    List<Row> gates = new ArrayList<>();
    for (long seed : new long[] {1, 2}) {
      double noise = seed == 1 ? 0.01 : -0.01;
      trial(rows, gates, seed, "neutral", "neutral", 2e-3, 1, 0.1, 2.5 + noise, 2.0, 2.52, 0.01, 0.1);
      trial(rows, gates, seed, "adapter", "adapter", 2e-3, 1, 0.1, 2.45, 2.01, 2.56 + noise, 0.05, 0.1);
      trial(rows, gates, seed, "neutral_lr0.006_a1_f0.1", "neutral", 6e-3, 1, 0.1, 2.3, 2.02, 2.55, 0.02, 0.2);
      trial(rows, gates, seed, "neutral_lr0.002_a0_f0.1", "neutral", 2e-3, 0, 0.1, 2.49, 2.03, 2.6, 0.06, 0.1);
      trial(rows, gates, seed, "adapter_lr0.002_a1_f0", "adapter", 2e-3, 1, 0.0, 2.4, 2.2, 2.8, 0.09, 0.1);
    }
    List<ExtensionFrontier.Point> points = ExtensionFrontier.points(rows, gates);
    assertEquals(5, points.size());
    ExtensionFrontier.Point neutral = points.get(0);
    assertEquals(2, neutral.seeds());
    assertEquals(0.5, neutral.learned(), 1e-12, "3.0 - mean(2.51, 2.49)");
    assertEquals(Math.sqrt(2 * 0.01 * 0.01), neutral.learnedSd(), 1e-12);
    assertEquals(0.01, neutral.forgettingMean(), 1e-12, "mean of en 0 and de +0.02");
    assertEquals(0.02, neutral.forgettingWorst(), 1e-12);
    assertEquals(0.01, neutral.outOld()[0], 1e-12);
    assertEquals(0.02, neutral.outOld()[1], 1e-12);
    assertEquals(0.1, neutral.outRatio(), 1e-12);
    assertEquals(0.9, points.get(4).outRatio(), 1e-12);

    ExtensionFrontier.Setting at = new ExtensionFrontier.Setting(2e-3, 1, 0.1);
    assertEquals(List.of("neutral", "neutral_lr0.006_a1_f0.1", "adapter"),
        ExtensionFrontier.overLearningRates(points, at).stream().map(ExtensionFrontier.Point::trial).toList(), "alpha 0 and fraction 0 are not on it");
    assertEquals(List.of("neutral_lr0.002_a0_f0.1", "neutral"),
        ExtensionFrontier.overAlphas(points, at).stream().map(ExtensionFrontier.Point::trial).toList());
    assertEquals(List.of("neutral", "adapter_lr0.002_a1_f0", "adapter"),
        ExtensionFrontier.overDataMixes(points, at).stream().map(ExtensionFrontier.Point::trial).toList());

    String md = ExtensionFrontier.markdown("el", points, at);
    assertTrue(md.contains("mean ± sd over 2 seeds"), md);
    assertTrue(md.contains("| neutral | 0.006 | 0.7000"), md);
    assertTrue(md.contains("| 0 | 0.5100"), md);
    assertTrue(md.contains("**Data mix**"), md);
    assertTrue(ReportPlots.extensionFrontier("el", ExtensionFrontier.overLearningRates(points, at), true).length > 1000);
  }
}
