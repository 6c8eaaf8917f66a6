package dept.train.extend;

import dept.train.random.Seeds;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dept.train.local.AdamW;
import dept.train.local.Batches;
import dept.train.local.Evaluator;
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
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One extension method, start to end, as one Spark task: build the extended model from the base
 * (adapters / LoRA initialised to change nothing, or the body freed for fine-tuning; the new
 * source's embeddings fresh under its own tokenizer, or the global ones), train it on batches
 * drawn new-source or original-source by {@code original_fraction} (each batch one source, tagged
 * with its domain), with the adapters' L1 output penalty on original batches for neutral
 * residues, then score every source before and after and record the gates on old and new data.
 */
public record ExtensionTask(ExtensionMethod method, ExtendConfig config, ModelConfig model, int seqLen, int batchSize)
    implements Serializable {

  private static final Logger LOG = LoggerFactory.getLogger(ExtensionTask.class);

  /** A source's validation bits per byte before (the base) and after the extension. */
  public record Score(String source, boolean isNew, double before, double after) implements Serializable {}

  /** One adapter layer on one domain's validation blocks. */
  public record GateStats(String domain, int layer, double meanGate, double activeFraction, double meanAbsOutput)
      implements Serializable {}

  /** What a method did: parameters it trained and added, its losses, the scores, gates and its added parameters. */
  public record Result(String method, long trainableParams, long addedParams, float[] losses, List<Score> scores,
      List<GateStats> gates, long wallMillis, byte[] extension) implements Serializable {}

  /** The base's input embeddings per tokenizer, with the new source's own fresh ones when it has its own tokenizer. */
  static Map<String, NamedTensors> startingEmbeddings(Map<String, NamedTensors> base, ExtensionData data, ModelConfig model, int seqLen,
      long seed) {
    Map<String, NamedTensors> out = new TreeMap<>(base);
    if (!out.containsKey(data.newTokenizer())) {
      out.put(data.newTokenizer(), new DecoderLm(model, data.vocabSizes().get(data.newTokenizer()), seqLen).initEmbeddings(seed));
    }
    return out;
  }

  public Result run(NamedTensors baseBody, Map<String, NamedTensors> baseEmbeddings, ExtensionData data) {
    long start = System.nanoTime();
    Map<String, NamedTensors> embeddings = startingEmbeddings(baseEmbeddings, data, model, seqLen, Seeds.derive(config.seed(), "embeddings", data.newTokenizer()));
    ExtensionParams sizes = new ExtensionParams(model, baseBody.parameterCount(), config.adapterRatio());
    NamedTensors extension = sizes.init(method, Seeds.derive(config.seed(), "extension", method.label()));
    boolean newRowsTrain = config.ownTokenizer() || method.trainsBody();
    Extensions wrappers = new Extensions(extension.names(), config.gate());

    // Trainable tensors under unique optimiser names; embeddings as "<tokenizer>/embed.*".
    TreeMap<String, Tensor> trainable = new TreeMap<>(extension.asMap());
    if (method.trainsBody()) {
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
      ModelParams body = new ModelParams(baseBody, root, LocalTrainer.device(), method.trainsBody());
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
        losses[s] = step(lm, Weights.layered(ext, body, rows.get(tok)), arrays, adam, b, schedule.at(s), optim.gradClip());
        tokens += (long) b.blocks().length * (b.blocks()[0].length - 1);
        if ((s + 1) % Math.max(1, config.steps() / 4) == 0 || s + 1 == config.steps()) {
          double secs = (System.nanoTime() - trainStart) / 1e9;
          LOG.info(String.format(Locale.ROOT, "extend %s: step %d/%d loss %.4f (%s batch) %.0f tok/s ETA %.0fs", method.label(), s + 1,
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
    NamedTensors extAfter = trained.select(n -> n.startsWith(Extensions.EXT));
    NamedTensors bodyAfter = method.trainsBody() ? trained.select(n -> n.startsWith(DecoderLm.BODY)) : baseBody;
    Map<String, NamedTensors> embeddingsAfter = new TreeMap<>(embeddings);
    if (newRowsTrain) {
      String prefix = data.newTokenizer() + "/";
      TreeMap<String, Tensor> e = new TreeMap<>();
      trained.asMap().forEach((n, t) -> {
        if (n.startsWith(prefix)) {
          e.put(n.substring(prefix.length()), t);
        }
      });
      embeddingsAfter.put(data.newTokenizer(), new NamedTensors(e));
    }
    List<Score> scores = new ArrayList<>();
    List<String> sources = new ArrayList<>(data.originalTokenizers().keySet());
    sources.add(0, data.newSource());
    for (String source : sources) {
      String tok = data.tokenizerOf(source);
      List<int[]> val = sample(data.val().get(source));
      if (val.isEmpty()) {
        continue;
      }
      DecoderLm base = new DecoderLm(model, data.vocabSizes().get(tok), seqLen);
      double before = new Evaluator(base, 16).evaluate(baseBody, embeddings.get(tok), val, data.tokenBytes().get(tok)).bitsPerByte();
      double after = new Evaluator(base.withExtensions(wrappers), 16)
          .evaluate(bodyAfter.with(extAfter), embeddingsAfter.get(tok), val, data.tokenBytes().get(tok)).bitsPerByte();
      scores.add(new Score(source, source.equals(data.newSource()), before, after));
    }
    List<GateStats> gates = method.adapters() ? gateStats(bodyAfter.with(extAfter), embeddingsAfter, data, wrappers) : List.of();
    return new Result(method.label(), trained.parameterCount(), extension.parameterCount(), losses, scores, gates,
        (System.nanoTime() - start) / 1_000_000, extension.parameterCount() == 0 ? new byte[0] : extAfter.toBytes());
  }

  private static NDArray arrayOf(String name, ModelParams ext, ModelParams body, Map<String, ModelParams> rows, ExtensionData data) {
    int slash = name.indexOf('/');
    if (slash > 0) {
      return rows.get(name.substring(0, slash)).get(name.substring(slash + 1));
    }
    return ext.has(name) ? ext.get(name) : body.get(name);
  }

  private float step(DecoderLm lm, Weights w, Map<String, NDArray> arrays, AdamW adam, DomainBatches.Batch b, double lr, double clip) {
    try (NDManager step = NDManager.newBaseManager(LocalTrainer.device())) {
      NDArray blocks = Batches.toArray(b.blocks(), step);
      float loss;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        AdapterTaps taps = new AdapterTaps();
        NDArray lmLoss = lm.tokenLoss(blocks, w, step, taps).mean();
        NDArray total = lmLoss;
        if (b.original() && method.penalised() && config.alpha() > 0 && !taps.outputs().isEmpty()) {
          // alpha x mean over layers of the mean L1 norm of the adapter output per token, divided by d
          NDArray l1 = taps.outputs().get(0).abs().mean();
          for (int i = 1; i < taps.outputs().size(); i++) {
            l1 = l1.add(taps.outputs().get(i).abs().mean());
          }
          total = lmLoss.add(l1.mul(step.full(new ai.djl.ndarray.types.Shape(), (float) (config.alpha() / taps.outputs().size()))));
        }
        collector.backward(total);
        loss = lmLoss.getFloat();
      }
      // Tensors this batch did not use (another tokenizer's rows) get no update, as PyTorch skips a None gradient.
      if (!GradientUpdate.apply(arrays, adam, lr, clip, step, false).applied()) {
        LOG.warn("extend {}: non-finite gradient; update skipped", method.label());
      }
      return loss;
    }
  }

  private List<int[]> sample(List<int[]> blocks) {
    if (blocks == null) {
      return List.of();
    }
    return config.evalBlocks() > 0 && blocks.size() > config.evalBlocks() ? blocks.subList(0, config.evalBlocks()) : blocks;
  }

  /** Per layer, on the new source's and on the original sources' validation blocks: mean gate, share of open gates, mean |output|. */
  private List<GateStats> gateStats(NamedTensors weights, Map<String, NamedTensors> embeddings, ExtensionData data,
      Extensions wrappers) {
    List<GateStats> out = new ArrayList<>();
    Map<String, List<String>> domains = new TreeMap<>();
    domains.put("new", List.of(data.newSource()));
    domains.put("original", new ArrayList<>(data.originalTokenizers().keySet()));
    for (Map.Entry<String, List<String>> d : domains.entrySet()) {
      double[] gateSum = new double[model.layers()];
      double[] openSum = new double[model.layers()];
      double[] absSum = new double[model.layers()];
      long batches = 0;
      for (String source : d.getValue()) {
        String tok = data.tokenizerOf(source);
        List<int[]> val = sample(data.val().get(source));
        DecoderLm lm = new DecoderLm(model, data.vocabSizes().get(tok), seqLen).withExtensions(wrappers);
        try (NDManager root = NDManager.newBaseManager(LocalTrainer.device());
            ModelParams p = new ModelParams(weights.with(embeddings.get(tok)), root, LocalTrainer.device(), false)) {
          for (int from = 0; from < val.size(); from += 16) {
            try (NDManager step = p.manager().newSubManager()) {
              int[][] batch = val.subList(from, Math.min(val.size(), from + 16)).toArray(new int[0][]);
              AdapterTaps taps = new AdapterTaps();
              lm.tokenLoss(Batches.toArray(batch, step), p, step, taps);
              for (int l = 0; l < model.layers(); l++) {
                absSum[l] += taps.outputs().get(l).abs().mean().getFloat();
                if (!taps.gates().isEmpty()) {
                  NDArray g = taps.gates().get(l);
                  gateSum[l] += g.mean().getFloat();
                  openSum[l] += g.gt(0f).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).mean().getFloat();
                }
              }
              batches++;
            }
          }
        }
      }
      for (int l = 0; l < model.layers(); l++) {
        boolean gated = method.gated();
        out.add(new GateStats(d.getKey(), l, gated ? gateSum[l] / Math.max(1, batches) : Double.NaN,
            gated ? openSum[l] / Math.max(1, batches) : Double.NaN, absSum[l] / Math.max(1, batches)));
      }
    }
    return out;
  }
}
