package dept.train.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dept.train.local.LocalTrainer;
import dept.train.params.NamedTensors;
import dept.train.params.Tensor;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** LoRA and adapters wrap the pieces whose parameters are present, compute what they claim, and refuse names they do not own. */
class ExtensionWrappersTest {

  private static final ModelConfig MODEL = new ModelConfig(8, 2, 2, 2);

  private static Set<String> loraOn(String linear) {
    LoraLinear lora = new LoraLinear(new Linear(linear));
    return new HashSet<>(lora.names());
  }

  @Test
  void anExtensionParameterNoWrapperOwnsIsRefusedByName() {
    Set<String> typo = loraOn("body.h0.attn.qkv");
    typo.add("ext.body.h0.mlp.fc.lora_c");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new DecoderLm(MODEL, 20, 4).withExtensions(new Extensions(typo, GatedAdapter.Gate.RELU)));
    assertTrue(e.getMessage().contains("ext.body.h0.mlp.fc.lora_c"), e.getMessage());

    Set<String> beyondTheLastLayer = new HashSet<>(new Adapter("body.h2").names());
    e = assertThrows(IllegalArgumentException.class,
        () -> new DecoderLm(MODEL, 20, 4).withExtensions(new Extensions(beyondTheLastLayer, GatedAdapter.Gate.RELU)));
    assertTrue(e.getMessage().contains("ext.body.h2.adapter."), e.getMessage());
  }

  @Test
  void aWrapperMissingOneOfItsParametersNamesIt() {
    Set<String> onlyA = Set.of("ext.body.h1.mlp.proj.lora_a");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new DecoderLm(MODEL, 20, 4).withExtensions(new Extensions(onlyA, GatedAdapter.Gate.RELU)));
    assertTrue(e.getMessage().contains("ext.body.h1.mlp.proj.lora_b"), e.getMessage());
  }

  @Test
  void loraAddsTheLowRankProductToTheLinear() {
    TreeMap<String, Tensor> t = new TreeMap<>();
    t.put("l.w", new Tensor(new long[] {2, 2}, new float[] {1, 2, 3, 4}));
    t.put("l.b", new Tensor(new long[] {2}, new float[] {10, 20}));
    t.put("ext.l.lora_a", new Tensor(new long[] {2, 1}, new float[] {1, -1}));
    t.put("ext.l.lora_b", new Tensor(new long[] {1, 2}, new float[] {5, 7}));
    try (NDManager root = NDManager.newBaseManager(LocalTrainer.device());
        ModelParams w = new ModelParams(new NamedTensors(t), root, LocalTrainer.device(), false)) {
      float[] x = {1, 3};
      float[] y = new LoraLinear(new Linear("l")).forward(w.manager().create(x, new Shape(1, 2)), w).toFloatArray();
      // x W + b = (1 + 9 + 10, 2 + 12 + 20); x A = -2; (x A) B = (-10, -14)
      assertArrayEquals(new float[] {10, 20}, y);
    }
  }

  @Test
  void theGateScalesTheAdapterAndBothAreTapped() {
    TreeMap<String, Tensor> t = new TreeMap<>();
    Adapter adapter = new Adapter("b");
    GatedAdapter gated = new GatedAdapter(adapter, GatedAdapter.Gate.RELU);
    t.put(adapter.wi(), new Tensor(new long[] {2, 1}, new float[] {1, 2}));
    t.put(adapter.wg(), new Tensor(new long[] {2, 1}, new float[] {0.5f, -1}));
    t.put(adapter.wo(), new Tensor(new long[] {1, 2}, new float[] {1, -3}));
    t.put(gated.gateW(), new Tensor(new long[] {2, 1}, new float[] {2, 0}));
    t.put(gated.gateB(), new Tensor(new long[] {1}, new float[] {-1}));
    try (NDManager root = NDManager.newBaseManager(LocalTrainer.device());
        ModelParams w = new ModelParams(new NamedTensors(t), root, LocalTrainer.device(), false)) {
      // h = (3, 1) opens the gate: relu(2 * 3 - 1) = 5; h = (0, 1) closes it: relu(-1) = 0.
      var h = w.manager().create(new float[] {3, 1, 0, 1}, new Shape(1, 2, 2));
      float[] plain = adapter.forward(h, w, null).toFloatArray();
      AdapterTaps taps = new AdapterTaps();
      float[] out = gated.forward(h, w, taps).toFloatArray();
      assertArrayEquals(new float[] {5 * plain[0], 5 * plain[1], 0, 0}, out, 1e-5f);
      assertTrue(plain[0] != 0 && plain[2] != 0, "the ungated adapter is open on both tokens");
      assertArrayEquals(new float[] {5, 0}, taps.gates().get(0).toFloatArray());
      assertArrayEquals(out, taps.outputs().get(0).toFloatArray());
    }
  }

  @Test
  void theExtendedBodyReadsTheWrappersWhoseParametersArePresent() {
    DecoderLm lm = new DecoderLm(MODEL, 20, 4);
    NamedTensors base = lm.initBody(1).with(lm.initEmbeddings(2));
    TreeMap<String, Tensor> ext = new TreeMap<>();
    LoraLinear lora = new LoraLinear(new Linear("body.h1.mlp.fc"));
    ext.put(lora.a(), TransformerBlocks.normal(3, lora.a(), 1, 8, 2));
    ext.put(lora.b(), TransformerBlocks.normal(4, lora.b(), 1, 2, 16));
    Extensions extensions = new Extensions(ext.keySet(), GatedAdapter.Gate.RELU);
    try (NDManager root = NDManager.newBaseManager(LocalTrainer.device());
        ModelParams w = new ModelParams(base.with(new NamedTensors(ext)), root, LocalTrainer.device(), false)) {
      var tokens = w.manager().create(new long[] {3, 4, 5, 6}, new Shape(1, 4));
      float[] plain = lm.logits(tokens, w, w.manager()).toFloatArray();
      float[] extended = lm.withExtensions(extensions).logits(tokens, w, w.manager()).toFloatArray();
      float diff = 0;
      for (int i = 0; i < plain.length; i++) {
        diff = Math.max(diff, Math.abs(plain[i] - extended[i]));
      }
      assertTrue(diff > 1e-3, "LoRA on body.h1.mlp.fc changes the logits: " + diff);
    }
  }
}
