package dept.train.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dept.train.local.LocalTrainer;
import dept.train.params.NamedTensors;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class DecoderLmTest {

  private final DecoderLm model = new DecoderLm(new ModelConfig(32, 2, 4, 4), 50, 16);

  @Test
  void changingLaterTokensNeverChangesEarlierLogits() {
    NamedTensors params = model.initBody(1).with(model.initEmbeddings(2));
    Random rnd = new Random(5);
    long[] a = rnd.longs(2 * 16, 3, 50).toArray();
    try (NDManager root = NDManager.newBaseManager(LocalTrainer.device());
        ModelParams w = new ModelParams(params, root, LocalTrainer.device(), false)) {
      for (int t = 0; t < 15; t++) {
        long[] b = a.clone();
        for (int i = t + 1; i < 16; i++) {
          b[i] = 3 + (b[i] + 7) % 47; // row 0 from t+1 on
          b[16 + i] = 3 + (b[16 + i] + 11) % 47; // row 1 too
        }
        try (NDManager step = w.manager().newSubManager()) {
          float[] la = model.logits(step.create(a, new Shape(2, 16)), w, step).toFloatArray();
          float[] lb = model.logits(step.create(b, new Shape(2, 16)), w, step).toFloatArray();
          for (int row = 0; row < 2; row++) {
            for (int pos = 0; pos <= t; pos++) {
              for (int v = 0; v < 50; v++) {
                int i = (row * 16 + pos) * 50 + v;
                assertEquals(la[i], lb[i], 1e-6, "row " + row + " pos " + pos + " after changing from " + (t + 1));
              }
            }
          }
          boolean differs = false;
          for (int v = 0; v < 50; v++) {
            differs |= la[(t + 1) * 50 + v] != lb[(t + 1) * 50 + v];
          }
          assertTrue(differs, "the changed position's logits do change");
        }
      }
    }
  }

  @Test
  void parameterNamesSplitIntoBodyAndEmbeddingsWithStableNames() {
    NamedTensors body = model.initBody(1);
    NamedTensors embed = model.initEmbeddings(1);
    assertTrue(body.names().stream().allMatch(n -> n.startsWith("body.")));
    assertEquals(java.util.Set.of("embed.wpe", "embed.wte"), embed.names());
    assertTrue(body.names().contains("body.h1.attn.qkv.w"));
    assertTrue(body.names().contains("body.lnf.g"));
    assertEquals(2 * (2 * 32 + 32 * 96 + 96 + 32 * 32 + 32 + 2 * 32 + 32 * 128 + 128 + 128 * 32 + 32) + 2 * 32, body.parameterCount());
    assertArrayEquals(new long[] {50, 32}, embed.get("embed.wte").shape());
    assertEquals(body, model.initBody(1), "init is deterministic for a seed");
    assertFalse(body.equals(model.initBody(2)));
    // The shapes a traffic plan sizes models by are the ones init allocates.
    java.util.Map<String, long[]> shapes = new java.util.TreeMap<>();
    body.with(embed).asMap().forEach((n, t) -> shapes.put(n, t.shape()));
    java.util.Map<String, long[]> planned = new java.util.TreeMap<>(model.bodyShapes());
    planned.putAll(model.embeddingShapes());
    assertEquals(shapes.keySet(), planned.keySet());
    shapes.forEach((n, s) -> assertArrayEquals(s, planned.get(n), n));
    assertEquals(body.byteSize(), NamedTensors.byteSize(model.bodyShapes()));
  }

  /** Checkpoints store parameters by name and shape: these must not change. */
  @Test
  void bodyParameterNamesAndShapesArePinned() {
    NamedTensors body = new DecoderLm(new ModelConfig(8, 1, 2, 2), 20, 4).initBody(1);
    Map<String, List<Long>> expected = new TreeMap<>();
    for (String ln : List.of("body.h0.ln1", "body.h0.ln2", "body.lnf")) {
      expected.put(ln + ".g", List.of(8L));
      expected.put(ln + ".b", List.of(8L));
    }
    expected.put("body.h0.attn.qkv.w", List.of(8L, 24L));
    expected.put("body.h0.attn.qkv.b", List.of(24L));
    expected.put("body.h0.attn.proj.w", List.of(8L, 8L));
    expected.put("body.h0.attn.proj.b", List.of(8L));
    expected.put("body.h0.mlp.fc.w", List.of(8L, 16L));
    expected.put("body.h0.mlp.fc.b", List.of(16L));
    expected.put("body.h0.mlp.proj.w", List.of(16L, 8L));
    expected.put("body.h0.mlp.proj.b", List.of(8L));
    Map<String, List<Long>> actual = new TreeMap<>();
    body.asMap().forEach((n, x) -> actual.put(n, Arrays.stream(x.shape()).boxed().toList()));
    assertEquals(expected, actual);
  }

  @Test
  void engineRoundTripOfParametersIsExact() {
    NamedTensors params = model.initBody(3).with(model.initEmbeddings(4));
    try (NDManager root = NDManager.newBaseManager(LocalTrainer.device());
        ModelParams w = new ModelParams(params, root, LocalTrainer.device(), true)) {
      assertEquals(params, w.toTensors());
      NDArray wte = w.get("embed.wte");
      assertEquals(new Shape(50, 32), wte.getShape());
    }
  }

  @Test
  void headsMustDivideTheWidth() {
    assertThrows(IllegalArgumentException.class, () -> new ModelConfig(30, 1, 4, 4));
  }

  /**
   * Regression: the attention scale was a DJL scalar whose Java buffer is freed right after the
   * forward op while autograd keeps it for backward, so collecting garbage (and reusing the
   * memory) between forward and backward changed the gradients.
   */
  @Test
  void gradientsDoNotDependOnGarbageCollectionBetweenForwardAndBackward() {
    NamedTensors params = model.initBody(3).with(model.initEmbeddings(4));
    long[] tokens = new Random(9).longs(4 * 17, 3, 50).toArray();
    float[] calm = qkvGradient(params, tokens, false);
    for (int attempt = 0; attempt < 3; attempt++) {
      assertArrayEquals(calm, qkvGradient(params, tokens, true), "attempt " + attempt);
    }
  }

  private float[] qkvGradient(NamedTensors params, long[] tokens, boolean churn) {
    try (NDManager root = NDManager.newBaseManager(LocalTrainer.device());
        ModelParams w = new ModelParams(params, root, LocalTrainer.device(), true);
        NDManager step = w.manager().newSubManager()) {
      try (ai.djl.training.GradientCollector collector = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
        NDArray loss = model.tokenLoss(step.create(tokens, new Shape(4, 17)), w, step).mean();
        if (churn) {
          for (int round = 0; round < 3; round++) {
            System.gc();
            for (int i = 0; i < 2000; i++) {
              java.nio.ByteBuffer.allocateDirect(8 + i % 64).putFloat(0, 1e6f + i);
            }
          }
        }
        collector.backward(loss);
      }
      NDArray g = w.get("body.h0.attn.qkv.w").getGradient();
      g.attach(step);
      return g.toFloatArray();
    }
  }
}
