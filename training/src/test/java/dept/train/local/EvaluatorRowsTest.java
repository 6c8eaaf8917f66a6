package dept.train.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dept.train.model.DecoderLm;
import dept.train.model.ModelConfig;
import dept.train.model.ModelParams;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * TRIM is scored with the softmax it trained: over the rows its source holds. On one block whose
 * targets are 3, 4, 9 and 6 with rows 0-6 held, the held-row loss is the log-sum-exp over rows 0-6
 * minus each target's logit, computed here from the model's logits, plus ln V for target 9; the
 * full-vocabulary loss (over all 10 rows) is another number.
 */
class EvaluatorRowsTest {

  private static final int V = 10;
  private static final DecoderLm MODEL = new DecoderLm(new ModelConfig(16, 1, 2, 4), V, 4);
  private static final int[] BLOCK = {5, 3, 4, 9, 6};
  private static final int[] BYTES = {0, 0, 0, 1, 1, 1, 1, 1, 1, 2};

  @Test
  void heldRowsAreTheSoftmaxTheSourceTrained() {
    boolean[] held = new boolean[V];
    Arrays.fill(held, 0, 7, true);
    try (NDManager root = NDManager.newBaseManager();
        ModelParams params = new ModelParams(MODEL.initBody(7).with(MODEL.initEmbeddings(7)), root, root.getDevice(), false)) {
      float[] logits;
      try (NDManager step = root.newSubManager()) {
        NDArray inputs = step.create(new long[][] {{5, 3, 4, 9}});
        logits = MODEL.logits(inputs, params, step).toFloatArray(); // (1, 4, V)
      }
      double heldNats = 0;
      double allNats = 0;
      for (int i = 0; i < 4; i++) {
        int target = BLOCK[i + 1];
        double[] row = new double[V];
        for (int v = 0; v < V; v++) {
          row[v] = logits[i * V + v];
        }
        allNats += logSumExp(row, null) - row[target];
        heldNats += held[target] ? logSumExp(row, held) - row[target] : Math.log(V);
      }
      Evaluator.RowScores s = new Evaluator(MODEL, 8).evaluateBatchOverRows(params, List.of(BLOCK), BYTES, held, Math.log(V));
      assertEquals(heldNats, s.rows().totalNats(), 1e-4);
      assertEquals(allNats, s.all().totalNats(), 1e-4);
      assertEquals(1, s.outside());
      assertEquals(4, s.rows().tokens());
      assertEquals(1 + 1 + 2 + 1, s.rows().bytes());
      assertTrue(Math.abs(s.rows().totalNats() - s.all().totalNats()) > 0.1, "the two softmaxes differ on this block");
      // Every row held: the two figures are one, and no target is outside.
      boolean[] all = new boolean[V];
      Arrays.fill(all, true);
      Evaluator.RowScores whole = new Evaluator(MODEL, 8).evaluateBatchOverRows(params, List.of(BLOCK), BYTES, all, Math.log(V));
      assertEquals(whole.all().totalNats(), whole.rows().totalNats(), 1e-4);
      assertEquals(0, whole.outside());
      assertEquals(new Evaluator(MODEL, 8).evaluateBatch(params, List.of(BLOCK), BYTES).totalNats(), whole.all().totalNats(), 1e-4);
    }
  }

  private static double logSumExp(double[] row, boolean[] only) {
    double max = Double.NEGATIVE_INFINITY;
    for (int v = 0; v < row.length; v++) {
      if (only == null || only[v]) {
        max = Math.max(max, row[v]);
      }
    }
    double sum = 0;
    for (int v = 0; v < row.length; v++) {
      if (only == null || only[v]) {
        sum += Math.exp(row[v] - max);
      }
    }
    return max + Math.log(sum);
  }
}
