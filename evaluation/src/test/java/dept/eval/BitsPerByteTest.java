package dept.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dept.train.local.Evaluator;
import dept.train.local.LocalTrainer;
import dept.train.model.DecoderLm;
import dept.train.model.ModelConfig;
import dept.train.model.ModelParams;
import dept.train.params.NamedTensors;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The evaluator's bits per byte equals a hand computation from the model's logits. */
class BitsPerByteTest {

  @Test
  void evaluatorMatchesAHandComputation() {
    int vocab = 12;
    DecoderLm lm = new DecoderLm(new ModelConfig(16, 1, 2, 4), vocab, 6);
    NamedTensors params = lm.initBody(3).with(lm.initEmbeddings(4));
    int[] tokenBytes = {0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 1, 2}; // ids 0-2 are specials: no bytes
    int[] block = {0, 5, 9, 3, 11, 7, 2}; // ends in padding (id 2): that target does not count
    Evaluator.Metrics metrics = new Evaluator(lm, 4).evaluate(params.select(n -> n.startsWith(DecoderLm.BODY)),
        params.select(n -> n.startsWith(DecoderLm.EMBED)), List.of(block), tokenBytes);

    double nats = 0;
    long bytes = 0;
    try (NDManager root = NDManager.newBaseManager(LocalTrainer.device());
        ModelParams w = new ModelParams(params, root, LocalTrainer.device(), false);
        NDManager step = w.manager().newSubManager()) {
      long[] inputs = new long[block.length - 1];
      for (int i = 0; i < inputs.length; i++) {
        inputs[i] = block[i];
      }
      float[] logits = lm.logits(step.create(inputs, new Shape(1, inputs.length)), w, step).toFloatArray();
      for (int t = 0; t < inputs.length; t++) {
        int target = block[t + 1];
        if (target == 2) {
          continue;
        }
        double maxLogit = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
          maxLogit = Math.max(maxLogit, logits[t * vocab + v]);
        }
        double sumExp = 0;
        for (int v = 0; v < vocab; v++) {
          sumExp += Math.exp(logits[t * vocab + v] - maxLogit);
        }
        nats += -(logits[t * vocab + target] - maxLogit - Math.log(sumExp));
      }
      for (int t = 1; t < block.length; t++) {
        bytes += tokenBytes[block[t]];
      }
    }
    assertEquals(5, metrics.tokens(), "five real targets");
    assertEquals(bytes, metrics.bytes());
    assertEquals(nats / (bytes * Math.log(2)), metrics.bitsPerByte(), 1e-5);
    assertEquals(Math.exp(nats / 5), metrics.perplexity(), 1e-3);
  }
}
