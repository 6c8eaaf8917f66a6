package dept.train.extend;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dept.prep.io.AtomicOutput;
import dept.prep.io.HadoopConfig;
import dept.train.local.AdamW;
import dept.train.local.Batches;
import dept.train.local.GradientUpdate;
import dept.train.local.LocalTrainer;
import dept.train.local.LrSchedule;
import dept.train.local.OptimConfig;
import dept.train.local.TrainingSlot;
import dept.train.model.AdapterTaps;
import dept.train.model.DecoderLm;
import dept.train.model.ModelConfig;
import dept.train.model.ModelParams;
import dept.train.model.Extensions;
import dept.train.model.Weights;
import dept.train.params.NamedTensors;
import dept.train.params.Tensor;
import dept.train.random.Seeds;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One extension method's training, as one Spark task: build the extended model from the base
 * (adapters / LoRA initialised to change nothing, or the body freed for fine-tuning; the new
 * source's embeddings fresh under its own tokenizer, or the global ones), train it on batches
 * drawn new-source or original-source by {@code original_fraction} (each batch one source, tagged
 * with its domain), with the adapters' L1 output penalty on original batches for neutral
 * residues, and save what it trained ({@link TrainedExtension}) from the task; the before/after
 * scores and the gates are {@link ExtensionScorer}'s, in the scoring job.
 */
public record ExtensionTask(ExtensionTrial trial, ExtendConfig config, ModelConfig model, int seqLen, int batchSize)
    implements Serializable {

  /** The task of {@code trial} under {@code extend} (the trial's lr, alpha and data mix on the section's other settings). */
  public static ExtensionTask of(ExtensionTrial trial, ExtendConfig extend, ModelConfig model, int seqLen, int batchSize) {
    return new ExtensionTask(trial, trial.configOf(extend), model, seqLen, batchSize);
  }

  public ExtensionMethod method() {
    return trial.method();
  }

  private static final Logger LOG = LoggerFactory.getLogger(ExtensionTask.class);

  /** A source's validation bits per byte before (the base) and after the extension. */
  public record Score(String source, boolean isNew, double before, double after) implements Serializable {}

  /** One adapter layer on one domain's validation blocks. */
  public record GateStats(String domain, int layer, double meanGate, double activeFraction, double meanAbsOutput)
      implements Serializable {}

  /** What a trial's training task reports (by its label): parameters it trained and added, its losses and its training time. */
  public record Trained(String label, long trainableParams, long addedParams, float[] losses, long wallMillis) implements Serializable {}

  /** A trial's outcome: its training, the scores of every source before and after, and its gates. */
  public record Result(ExtensionTrial trial, long trainableParams, long addedParams, float[] losses, List<Score> scores,
      List<GateStats> gates, long wallMillis) implements Serializable {

    /** The method's name for its main trial, else the trial's full label. */
    public String label() {
      return trial.label();
    }
  }

  /** The base's input embeddings per tokenizer, with the new source's own fresh ones when it has its own tokenizer. */
  static Map<String, NamedTensors> startingEmbeddings(Map<String, NamedTensors> base, ExtensionData data, ModelConfig model, int seqLen,
      long seed) {
    Map<String, NamedTensors> out = new TreeMap<>(base);
    if (!out.containsKey(data.newTokenizer())) {
      out.put(data.newTokenizer(), freshEmbeddings(data, model, seqLen, seed));
    }
    return out;
  }

  static NamedTensors freshEmbeddings(ExtensionData data, ModelConfig model, int seqLen, long seed) {
    return new DecoderLm(model, data.vocabSizes().get(data.newTokenizer()), seqLen).initEmbeddings(seed);
  }

  static long embeddingSeed(ExtendConfig config, ExtensionData data) {
    return Seeds.derive(config.seed(), "embeddings", data.newTokenizer());
  }

  /** Trains the method and saves what it trained to {@code paramsFile} (atomically: a retried task rewrites it whole). */
  public Trained train(NamedTensors baseBody, Map<String, NamedTensors> baseEmbeddings, ExtensionData data, String paramsFile,
      HadoopConfig hadoop) {
    long start = System.nanoTime();
    Map<String, NamedTensors> embeddings = startingEmbeddings(baseEmbeddings, data, model, seqLen, embeddingSeed(config, data));
    ExtensionParams sizes = new ExtensionParams(model, baseBody.parameterCount(), config.adapterRatio());
    NamedTensors extension = sizes.init(method(), Seeds.derive(config.seed(), "extension", method().label()));
    boolean newRowsTrain = config.ownTokenizer() || method().trainsSharedRows();
    Extensions wrappers = new Extensions(extension.names(), config.gate());

    // Trainable tensors under unique optimiser names; embeddings as "<tokenizer>/embed.*".
    TreeMap<String, Tensor> trainable = new TreeMap<>(extension.asMap());
    if (method().trainsBody()) {
      trainable.putAll(baseBody.asMap());
    }
    if (newRowsTrain) {
      embeddings.get(data.newTokenizer()).asMap().forEach((n, t) -> trainable.put(data.newTokenizer() + "/" + n, t));
    }
    NamedTensors trained;
    float[] losses = new float[config.steps()];
    try (TrainingSlot slot = TrainingSlot.acquire();
        NDManager root = NDManager.newBaseManager(LocalTrainer.device())) {
      ModelParams ext = new ModelParams(extension, root, LocalTrainer.device(), true);
      ModelParams body = new ModelParams(baseBody, root, LocalTrainer.device(), method().trainsBody());
      Map<String, ModelParams> rows = new TreeMap<>();
      embeddings.forEach((tok, e) -> rows.put(tok, new ModelParams(e, root, LocalTrainer.device(), newRowsTrain && tok.equals(data.newTokenizer()))));
      Map<String, NDArray> arrays = new TreeMap<>();
      trainable.keySet().forEach(n -> arrays.put(n, arrayOf(n, ext, body, rows, data)));

      OptimConfig optim = new OptimConfig(config.lr(), config.lr() / 10, Math.min(20, config.steps() / 10), 0.0, null, null, null, 1.0,
          batchSize);
      AdamW adam = new AdamW(optim, AdamW.State.fresh(new NamedTensors(trainable)));
      LrSchedule schedule = LrSchedule.of(optim, config.steps());
      DomainBatches batches = new DomainBatches(data, config.originalFraction(), batchSize, config.seed());
      long tokens = 0;
      long trainStart = System.nanoTime();
      for (int s = 0; s < config.steps(); s++) {
        DomainBatches.Batch b = batches.next();
        String tok = data.tokenizerOf(b.source());
        DecoderLm lm = new DecoderLm(model, data.vocabSizes().get(tok), seqLen).withExtensions(wrappers);
        // A batch that reaches no trainable tensor (an original source's under the embeddings-only
        // baseline) is scored, not stepped: it has nothing to update.
        boolean trains = trainable.keySet().stream().anyMatch(n -> n.indexOf('/') < 0 || n.startsWith(tok + "/"));
        losses[s] = trains ? step(lm, Weights.layered(ext, body, rows.get(tok)), arrays, adam, b, schedule.at(s), optim.gradClip())
            : loss(lm, Weights.layered(ext, body, rows.get(tok)), b);
        tokens += (long) b.blocks().length * (b.blocks()[0].length - 1);
        if ((s + 1) % Math.max(1, config.steps() / 4) == 0 || s + 1 == config.steps()) {
          double secs = (System.nanoTime() - trainStart) / 1e9;
          LOG.info(String.format(Locale.ROOT, "extend %s: step %d/%d loss %.4f (%s batch) %.0f tok/s ETA %.0fs", trial.label(), s + 1,
              config.steps(), losses[s], b.original() ? "original" : "new", tokens / secs, secs / (s + 1) * (config.steps() - s - 1)));
        }
      }
      TreeMap<String, Tensor> out = new TreeMap<>();
      arrays.forEach((n, a) -> out.put(n, new Tensor(trainable.get(n).shape(), a.toFloatArray())));
      trained = new NamedTensors(out);
      ext.close();
      body.close();
      rows.values().forEach(ModelParams::close);
    }
    AtomicOutput.writeFile(paramsFile, trained.toBytes(), hadoop.get());
    return new Trained(trial.label(), trained.parameterCount(), extension.parameterCount(), losses, (System.nanoTime() - start) / 1_000_000);
  }

  private static NDArray arrayOf(String name, ModelParams ext, ModelParams body, Map<String, ModelParams> rows, ExtensionData data) {
    int slash = name.indexOf('/');
    if (slash > 0) {
      return rows.get(name.substring(0, slash)).get(name.substring(slash + 1));
    }
    return ext.has(name) ? ext.get(name) : body.get(name);
  }

  private static float loss(DecoderLm lm, Weights w, DomainBatches.Batch b) {
    try (NDManager step = NDManager.newBaseManager(LocalTrainer.device())) {
      return lm.tokenLoss(Batches.toArray(b.blocks(), step), w, step).mean().getFloat();
    }
  }

  private float step(DecoderLm lm, Weights w, Map<String, NDArray> arrays, AdamW adam, DomainBatches.Batch b, double lr, double clip) {
    try (NDManager step = NDManager.newBaseManager(LocalTrainer.device())) {
      NDArray blocks = Batches.toArray(b.blocks(), step);
      float loss;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        AdapterTaps taps = new AdapterTaps();
        NDArray lmLoss = lm.tokenLoss(blocks, w, step, taps).mean();
        NDArray penalty = method().penalised() ? new NeutralPenalty(config.alpha()).of(taps, blocks, b.original()) : null;
        collector.backward(penalty == null ? lmLoss : lmLoss.add(penalty));
        loss = lmLoss.getFloat();
      }
      // Tensors this batch did not use (another tokenizer's rows) get no update, as PyTorch skips a None gradient.
      if (!GradientUpdate.apply(arrays, adam, lr, clip, step, false).applied()) {
        LOG.warn("extend {}: non-finite gradient; update skipped", trial.label());
      }
      return loss;
    }
  }
}
