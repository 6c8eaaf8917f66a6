package dept.jobs.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dept.train.local.AdamW;
import dept.train.local.BlockBatches;
import dept.train.local.LocalTrainer;
import dept.train.local.OptimConfig;
import dept.train.model.DecoderLm;
import dept.train.model.ModelConfig;
import dept.train.params.NamedTensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Local-trainer throughput for a few model sizes against the machine's own matmul peak, measured
 * in the same run with one large DJL matmul: tokens/s, ms/step and the fraction of peak FLOP/s
 * achieved, with model FLOPs per token = 6 x (body + token-embedding parameters) + 12 x layers x
 * seq_len x d_model (attention), as nanoGPT estimates it.
 */
public final class TrainerBenchmark {

  record Size(int dModel, int layers, int heads, int seqLen, int vocab, int batch) {}

  private static final List<Size> SIZES = List.of(
      new Size(64, 2, 4, 64, 2048, 16),
      new Size(128, 2, 4, 128, 8192, 16),
      new Size(256, 4, 8, 128, 8192, 16));

  public String run(int steps, BenchSummary summary) {
    double peak = matmulPeak();
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "trainer benchmark on %s, %d cores: DJL matmul peak %.1f GFLOP/s (2048^3 float32)%n",
        LocalTrainer.device(), Runtime.getRuntime().availableProcessors(), peak / 1e9));
    String fmt = "%-28s %10s %9s %10s %10s %12s %9s%n";
    out.append(String.format(Locale.ROOT, fmt, "model (d/L/heads/T/V/B)", "params", "ms/step", "tokens/s", "GFLOP/s", "MFLOP/token", "of peak"));
    for (Size s : SIZES) {
      DecoderLm model = new DecoderLm(new ModelConfig(s.dModel(), s.layers(), s.heads(), 4), s.vocab(), s.seqLen());
      NamedTensors body = model.initBody(1);
      NamedTensors embed = model.initEmbeddings(1);
      Random rnd = new Random(1);
      List<int[]> blocks = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        blocks.add(rnd.ints(s.seqLen() + 1, 3, s.vocab()).toArray());
      }
      LocalTrainer trainer = new LocalTrainer(model, OptimConfig.defaults(), steps, "bench", 0);
      AdamW.State state = AdamW.State.fresh(body.with(embed));
      trainer.train(body, embed, state, new BlockBatches(blocks, s.batch(), 1), 5, 0); // warm-up
      LocalTrainer.Result r = trainer.train(body, embed, state, new BlockBatches(blocks, s.batch(), 2), steps, 0);
      long params = body.parameterCount() + embed.get("embed.wte").size();
      double flopsPerToken = 6.0 * params + 12.0 * s.layers() * s.seqLen() * s.dModel();
      double tps = r.metrics().tokensPerSecond();
      double achieved = tps * flopsPerToken;
      out.append(String.format(Locale.ROOT, "%-28s %10d %9.1f %10.0f %10.2f %12.2f %8.1f%%%n",
          s.dModel() + "/" + s.layers() + "/" + s.heads() + "/" + s.seqLen() + "/" + s.vocab() + "/" + s.batch(),
          params, r.metrics().wallMillis() / (double) steps, tps, achieved / 1e9, flopsPerToken / 1e6, 100 * achieved / peak));
      summary.add("trainer", String.format(Locale.ROOT, "training GFLOP/s, d %d / %d layers / T %d / V %d / batch %d (%,.0f tokens/s)", s.dModel(),
          s.layers(), s.seqLen(), s.vocab(), s.batch(), tps), achieved / 1e9, "DJL matmul peak 2048^3", peak / 1e9, true);
    }
    return out.toString();
  }

  /** Best of a few 2048^3 float32 matmuls: FLOP/s. */
  static double matmulPeak() {
    int n = 2048;
    try (NDManager m = NDManager.newBaseManager(LocalTrainer.device())) {
      NDArray a = m.randomUniform(-1, 1, new Shape(n, n));
      NDArray b = m.randomUniform(-1, 1, new Shape(n, n));
      double best = 0;
      for (int i = 0; i < 6; i++) {
        try (NDManager step = m.newSubManager()) {
          NDArray x = a.duplicate();
          x.attach(step);
          long t0 = System.nanoTime();
          NDArray c = x.matMul(b);
          c.getFloat(0, 0); // wait for the result
          double secs = (System.nanoTime() - t0) / 1e9;
          best = Math.max(best, 2.0 * n * n * n / secs);
        }
      }
      return best;
    }
  }
}
