package dept.train.extend;

import dept.train.model.Adapter;
import dept.train.model.DecoderLm;
import dept.train.model.GatedAdapter;
import dept.train.model.Linear;
import dept.train.model.LoraLinear;
import dept.train.model.ModelConfig;
import dept.train.model.TransformerBlocks;
import dept.train.params.NamedTensors;
import dept.train.params.Tensor;
import java.util.TreeMap;

/**
 * The parameters a method adds to the body, sized to {@code adapter_ratio} of the body's
 * parameters, and initialised so that the extended model starts exactly equal to the base:
 * adapters' output projection W_o = 0 (W_i, W_g ~ N(0, 1/(d x layers)), the paper's low-variance
 * init; the gate's w_r ~ N(0, 1/d)); LoRA's B = 0 (A ~ N(0, 1/in)).
 */
public final class ExtensionParams {

  private final ModelConfig model;
  private final long bodyParams;
  private final double ratio;

  public ExtensionParams(ModelConfig model, long bodyParams, double ratio) {
    this.model = model;
    this.bodyParams = bodyParams;
    this.ratio = ratio;
  }

  /** Adapter hidden width: 3 d h (+ d + 1 for the gate) per layer = ratio x body. */
  public int adapterWidth() {
    return (int) Math.max(1, Math.round(ratio * bodyParams / (3.0 * model.dModel() * model.layers())));
  }

  /** LoRA rank on qkv, attention proj, MLP fc and MLP proj: r (in + out) summed = ratio x body. */
  public int loraRank() {
    long d = model.dModel();
    long h = d * model.mlpRatio();
    long perRank = (d + 3 * d) + (d + d) + (d + h) + (h + d);
    return (int) Math.max(1, Math.round(ratio * bodyParams / (double) (perRank * model.layers())));
  }

  public NamedTensors init(ExtensionMethod method, long seed) {
    TreeMap<String, Tensor> t = new TreeMap<>();
    int d = model.dModel();
    for (int l = 0; l < model.layers(); l++) {
      String block = DecoderLm.BODY + "h" + l;
      String p = block + ".";
      if (method.adapters()) {
        Adapter a = new Adapter(block);
        int h = adapterWidth();
        double std = 1 / Math.sqrt((double) d * model.layers());
        t.put(a.wi(), TransformerBlocks.normal(seed, a.wi(), std, d, h));
        t.put(a.wg(), TransformerBlocks.normal(seed, a.wg(), std, d, h));
        t.put(a.wo(), new Tensor(new long[] {h, d}, new float[h * d]));
        if (method.gated()) {
          GatedAdapter g = new GatedAdapter(a, GatedAdapter.Gate.RELU);
          t.put(g.gateW(), TransformerBlocks.normal(seed, g.gateW(), 1 / Math.sqrt(d), d, 1));
          t.put(g.gateB(), new Tensor(new long[] {1}, new float[1]));
        }
      }
      if (method == ExtensionMethod.LORA) {
        int h = d * model.mlpRatio();
        lora(t, p + "attn.qkv", d, 3 * d, seed);
        lora(t, p + "attn.proj", d, d, seed);
        lora(t, p + "mlp.fc", d, h, seed);
        lora(t, p + "mlp.proj", h, d, seed);
      }
    }
    return new NamedTensors(t);
  }

  private void lora(TreeMap<String, Tensor> t, String linear, int in, int out, long seed) {
    int r = loraRank();
    LoraLinear lora = new LoraLinear(new Linear(linear));
    t.put(lora.a(), TransformerBlocks.normal(seed, lora.a(), 1 / Math.sqrt(in), in, r));
    t.put(lora.b(), new Tensor(new long[] {r, out}, new float[r * out]));
  }
}
