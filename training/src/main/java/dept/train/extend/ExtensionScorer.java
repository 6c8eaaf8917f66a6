package dept.train.extend;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dept.prep.io.HadoopConfig;
import dept.prep.io.HadoopFiles;
import dept.train.local.Evaluator;
import dept.train.local.LocalTrainer;
import dept.train.model.AdapterTaps;
import dept.train.model.DecoderLm;
import dept.train.model.Extensions;
import dept.train.model.ModelParams;
import dept.train.params.NamedTensors;
import dept.train.scoring.BroadcastModel;
import dept.train.scoring.Scorer;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.broadcast.Broadcast;

/**
 * The extension's before/after scoring as {@link dept.train.scoring.ScoringJob} runs it: a unit is
 * a model and a source ({@link #unit}), the model either the base ({@link #BEFORE}) or a method's
 * extended model, rebuilt on the executor from the broadcast base and the method's saved
 * {@code params/<method>.bin}. Each batch adds the next-token sums and, for adapter methods, each
 * layer's mean gate, share of open gates and mean per-token |adapter output|_1 / d (padding masked).
 *
 * @param trials every trial by its label (the unit's model part)
 * @param paramsDir where each trial's task saved {@code <label>.bin}
 */
public record ExtensionScorer(BroadcastModel base, Broadcast<ExtensionData> data, ExtendConfig config,
    Map<String, ExtensionTrial> trials, String paramsDir, HadoopConfig hadoop) implements Scorer<ExtensionScorer.Sums, ExtensionScorer.Sums> {

  /** The unit prefix of the base model's scores. */
  public static final String BEFORE = "base";

  /** One batch's sums or several's: next-token metrics, and per adapter layer the sums of per-batch means. */
  public record Sums(Evaluator.Metrics lm, double[] gate, double[] open, double[] absOutput, long batches) implements Serializable {

    Sums plus(Sums later) {
      return new Sums(lm.plus(later.lm), add(gate, later.gate), add(open, later.open), add(absOutput, later.absOutput),
          batches + later.batches);
    }

    private static double[] add(double[] a, double[] b) {
      double[] out = a.clone();
      for (int i = 0; i < out.length; i++) {
        out[i] += b[i];
      }
      return out;
    }
  }

  /** The scoring unit of {@code model} ({@link #BEFORE} or a method's label) on {@code source}. */
  public static String unit(String model, String source) {
    return model + "/" + source;
  }

  public static String paramsFile(String paramsDir, String method) {
    return paramsDir + "/" + method + ".bin";
  }

  @Override
  public UnitScorer<Sums> open(String unit) {
    int slash = unit.indexOf('/');
    String model = unit.substring(0, slash);
    String source = unit.substring(slash + 1);
    ExtensionData d = data.value();
    String tok = d.tokenizerOf(source);
    NamedTensors start = tok.equals(d.newTokenizer()) && !base.hasEmbeddings(tok)
        ? ExtensionTask.freshEmbeddings(d, base.config(), base.seqLen(), ExtensionTask.embeddingSeed(config, d))
        : base.embeddings(tok);
    DecoderLm lm = new DecoderLm(base.config(), d.vocabSizes().get(tok), base.seqLen());
    NamedTensors weights;
    ExtensionMethod method = model.equals(BEFORE) ? null : trials.get(model).method();
    if (method == null) {
      weights = base.body().with(start);
    } else {
      TrainedExtension trained = new TrainedExtension(NamedTensors.fromBytes(read(paramsFile(paramsDir, model))));
      lm = lm.withExtensions(new Extensions(trained.added().names(), config.gate()));
      weights = trained.body(base.body()).with(trained.added()).with(trained.embeddings(tok, start));
    }
    boolean tapped = method != null && method.adapters();
    int layers = tapped ? base.config().layers() : 0;
    Evaluator evaluator = new Evaluator(lm, Integer.MAX_VALUE); // batches come cut by the job
    NDManager root = NDManager.newBaseManager(LocalTrainer.device());
    ModelParams params = new ModelParams(weights, root, LocalTrainer.device(), false);
    int[] bytes = d.tokenBytes().get(tok);
    return new UnitScorer<>() {
      @Override
      public Sums score(long first, List<int[]> batch) {
        double[] gate = new double[layers];
        double[] open = new double[layers];
        double[] abs = new double[layers];
        Evaluator.Metrics m = evaluator.evaluateBatch(params, batch, bytes, tapped ? new AdapterTaps() : null, (taps, ids) -> {
          NDArray real = layers == 0 ? null : NeutralPenalty.realTokens(ids);
          for (int l = 0; l < layers; l++) {
            abs[l] = NeutralPenalty.meanAbsPerToken(taps.outputs().get(l), real).getFloat(); // what the penalty weighs
            if (!taps.gates().isEmpty()) {
              NDArray g = taps.gates().get(l);
              gate[l] = g.mean().getFloat();
              open[l] = g.gt(0f).toType(DataType.FLOAT32, false).mean().getFloat();
            }
          }
        });
        return new Sums(m, gate, open, abs, 1);
      }

      @Override
      public void close() {
        params.close();
        root.close();
      }
    };
  }

  private byte[] read(String file) {
    Path p = new Path(file);
    try {
      return HadoopFiles.readBytes(p.getFileSystem(hadoop.get()), p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the extension's parameters " + file, e);
    }
  }

  @Override
  public Sums merge(Sums earlier, Sums later) {
    return earlier.plus(later);
  }

  @Override
  public Sums finish(String unit, Sums total) {
    return total;
  }
}
