package dept.train.rounds;

import dept.prep.io.HadoopConfig;
import dept.prep.tokenizer.SpecialTokens;
import dept.train.local.AdamW;
import dept.train.local.BlockBatches;
import dept.train.local.LocalTrainer;
import dept.train.local.MixtureBatches;
import dept.train.model.DecoderLm;
import dept.train.model.ModelConfig;
import dept.train.params.NamedTensors;
import dept.train.params.Tensor;
import dept.train.rtd.RtdModel;
import dept.train.scone.FgramModel;
import dept.train.scone.SconeConfig;
import dept.train.scone.SconeModels;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.apache.spark.TaskContext;

/**
 * What one task does in one round, inside Spark: restore its source's state from the store (SPEC
 * embeddings, kept moments, sampler position), take its embeddings (SPEC: its own; GLOB/STD: the
 * global copy; TRIM: the global rows its data uses), train H local steps, persist the new state
 * for round r, and send back the new values of what the variant aggregates. The state it reads is
 * round r-1's, so a retried or re-run task computes exactly the same thing.
 */
record SourceTask(
    String variant, TaskKey key, int round, int roundAttempt, TrainConfig train, ModelConfig model, int seqLen,
    int vocabSize, String storeRoot, HadoopConfig hadoop, FaultInjector faults) implements Serializable {

  /**
   * What a task sends back. {@code trimIds} / {@code trimRows} only for TRIM, {@code sharedMoments}
   * only under AVERAGE. Bytes are the serialised sizes; params the float counts they carry;
   * {@code embeddingParams} the embedding parameters the task held and trained (its memory).
   */
  record Result(String source, int replica, int round, byte[] trained, int[] trimIds, byte[] trimRows,
      byte[] sharedMoments, long tokens, float[] losses, long bytesDown, long bytesUp, long paramsDown,
      long paramsUp, long embeddingParams, long computeMillis, long taskMillis, boolean diverged) implements Serializable {

    float lastLoss() {
      return losses.length == 0 ? Float.NaN : losses[losses.length - 1];
    }
  }

  SharingPolicy sharing() {
    return SharingPolicy.of(variant);
  }

  /** The seed of everything random at this task: inits of its own embeddings, its batches. */
  long taskSeed() {
    return train.seed() * 1_000_003L + key.source().hashCode() * 7919L + key.replica() * 104_729L;
  }

  /** The seed of a source's own (SPEC) embeddings: shared by its replicas. */
  static long embeddingSeed(long seed, String source) {
    return seed * 1_000_003L + source.hashCode() * 7919L;
  }

  /** @param fgrams the f-grams a {@code +SCONE} variant uses for this source's tokenizer (null without SCONE) */
  Result run(TreeMap<String, List<int[]>> blocks, byte[] bodyDown, byte[] embeddingsDown, byte[] momentsDown, List<int[]> fgrams) {
    long taskStart = System.nanoTime();
    TaskContext ctx = TaskContext.get();
    int attempt = roundAttempt + (ctx == null ? 0 : ctx.attemptNumber());
    if (faults != null) {
      faults.beforeTask(key.source(), key.replica(), round, attempt);
    }
    SharingPolicy sharing = sharing();
    InnerState inner = train.innerFor(sharing);
    CheckpointStore store = new CheckpointStore(storeRoot, hadoop.get());
    SourceState previous = previousState(store);
    NamedTensors body = NamedTensors.fromBytes(bodyDown);
    long bytesDown = bodyDown.length + (momentsDown == null ? 0 : momentsDown.length);
    long paramsDown = body.parameterCount();

    int[] trimIds = null;
    NamedTensors embeddings;
    DecoderLm lm;
    TreeMap<String, List<int[]>> data = blocks;
    SconeConfig scone = train.sconeFor(sharing);
    List<int[]> taskFgrams = fgrams;
    if (sharing.base() instanceof SharingPolicy.Spec) {
      lm = new DecoderLm(model, vocabSize, seqLen);
      embeddings = previous.embeddings() != null ? previous.embeddings()
          : InputSide.init(lm, train, sharing, embeddingSeed(train.seed(), key.source()));
    } else if (sharing.base() instanceof SharingPolicy.Trim) {
      NamedTensors global = NamedTensors.fromBytes(embeddingsDown);
      trimIds = distinctTokens(blocks.firstEntry().getValue());
      lm = new DecoderLm(model, trimIds.length, seqLen);
      Tensor rows = TrimRows.gather(global.get(DecoderLm.EMBED + "wte"), trimIds);
      embeddings = new NamedTensors(Map.of(DecoderLm.EMBED + "wte", rows, DecoderLm.EMBED + "wpe", global.get(DecoderLm.EMBED + "wpe")))
          .with(global.select(n -> n.startsWith(FgramModel.PREFIX)));
      data = new TreeMap<>(Map.of(key.source(), remap(blocks.firstEntry().getValue(), trimIds)));
      taskFgrams = scone == null ? null : SconeModels.toLocalIds(fgrams, trimIds);
      long sent = embeddings.toBytes().length; // the driver would send only these rows
      bytesDown += sent;
      paramsDown += embeddings.parameterCount();
    } else {
      lm = new DecoderLm(model, vocabSize, seqLen);
      embeddings = NamedTensors.fromBytes(embeddingsDown);
      bytesDown += embeddingsDown.length;
      paramsDown += embeddings.parameterCount();
    }
    lm = SconeModels.withFgrams(lm, scone, taskFgrams);
    NamedTensors before = body.with(embeddings);
    AdamW.State start = startingMoments(inner, before, previous, momentsDown);
    if (momentsDown != null) {
      paramsDown += 2 * SourceState.fromBytes(momentsDown).optimizer().m().parameterCount();
    }

    LocalTrainer trainer = new LocalTrainer(lm, train.optim(), (long) train.rounds() * train.localSteps(),
        String.format("round %d/%d %s", round, train.rounds(), key), Math.max(1, train.localSteps() / 2));
    if (sharing.base() instanceof SharingPolicy.Act) {
      trainer.withActiveForgetting(train.actResetEvery(), taskSeed());
    }
    if (sharing.rtd()) {
      RtdModel rtd = InputSide.rtdModel(lm, train);
      double[] unigram = RtdModel.unigramCdf(data.values().stream().flatMap(List::stream)::iterator, lm.vocabSize());
      long seed = taskSeed();
      // Corruption is seeded by the global step, so a resumed or retried round draws the same replacements.
      trainer.withObjective((batch, arr, step, w, g) -> rtd.loss(batch, w, step, new java.util.Random(seed * 31 + g), unigram));
    }
    Iterator<int[][]> batches = batches(data);
    for (long b = 0; b < previous.batchesServed(); b++) {
      batches.next(); // continue the seeded order where the previous round stopped
    }
    LocalTrainer.Result r = trainer.train(body, embeddings, start, batches, train.localSteps(), (long) (round - 1) * train.localSteps());
    NamedTensors after = r.body().with(r.embeddings());
    if (faults != null && faults.poisons(key.source(), key.replica(), round, attempt)) {
      after = after.scaled(Float.NaN); // an injected divergence
    }
    float[] losses = r.metrics().losses();
    float last = losses.length == 0 ? Float.NaN : losses[losses.length - 1];
    boolean exploded = train.maxLossRatio() > 0 && last > train.maxLossRatio() * losses[0];
    boolean diverged = exploded || !Float.isFinite(last) || !after.allFinite();

    // A diverged task keeps its previous state; the driver leaves its update out of the round.
    SourceState next = diverged ? previous : new SourceState(
        sharing.base() instanceof SharingPolicy.Spec ? r.embeddings() : null,
        keptMoments(inner, sharing, r.optimizer()),
        previous.batchesServed() + train.localSteps());
    store.writeSourceState(key.statePath(), round, next.toBytes());

    NamedTensors trained = after.select(sharing::aggregated);
    byte[] trainedBytes = trained.toBytes();
    long bytesUp = trainedBytes.length;
    long paramsUp = trained.parameterCount();
    byte[] rowBytes = null;
    if (trimIds != null) {
      NamedTensors rows = r.embeddings().select(n -> n.equals(DecoderLm.EMBED + "wte"));
      rowBytes = rows.toBytes();
      bytesUp += rowBytes.length;
      paramsUp += rows.parameterCount();
    }
    byte[] momentsUp = null;
    if (inner == InnerState.AVERAGE) {
      AdamW.State shared = r.optimizer().select(sharing::aggregated);
      momentsUp = new SourceState(null, shared, 0).toBytes();
      bytesUp += momentsUp.length;
      paramsUp += 2 * shared.m().parameterCount();
    }
    return new Result(key.source(), key.replica(), round, trainedBytes, trimIds, rowBytes, momentsUp,
        r.metrics().tokens(), r.metrics().losses(), bytesDown, bytesUp, paramsDown, paramsUp,
        embeddings.parameterCount(), r.metrics().wallMillis(), (System.nanoTime() - taskStart) / 1_000_000, diverged);
  }

  /** This task's state after round r-1; with replicas, its replicas' embeddings and moments averaged. */
  private SourceState previousState(CheckpointStore store) {
    SourceState own = store.readSourceState(key.statePath(), round - 1).map(SourceState::fromBytes).orElse(SourceState.empty());
    if (train.replicas() == 1) {
      return own;
    }
    List<SourceState> all = new ArrayList<>();
    for (int i = 0; i < train.replicas(); i++) {
      store.readSourceState(new TaskKey(key.source(), i).statePath(), round - 1).map(SourceState::fromBytes).ifPresent(all::add);
    }
    return all.isEmpty() ? own : SourceState.mean(all, own.batchesServed());
  }

  private static AdamW.State startingMoments(InnerState inner, NamedTensors params, SourceState previous, byte[] momentsDown) {
    AdamW.State fresh = AdamW.State.fresh(params);
    if (inner == InnerState.RESET) {
      return fresh;
    }
    AdamW.State start = previous.optimizer() == null ? fresh : fresh.overriding(previous.optimizer());
    if (momentsDown != null) {
      start = start.overriding(SourceState.fromBytes(momentsDown).optimizer());
    }
    return start;
  }

  /** The moments a task keeps in the store: all under KEEP, its local tensors' under AVERAGE. */
  private static AdamW.State keptMoments(InnerState inner, SharingPolicy sharing, AdamW.State moments) {
    return switch (inner) {
      case RESET -> null;
      case KEEP -> moments;
      case AVERAGE -> moments.select(n -> !sharing.aggregated(n));
    };
  }

  private Iterator<int[][]> batches(TreeMap<String, List<int[]>> data) {
    if (sharing().mixture()) {
      return new MixtureBatches(data, train.temperature(), train.optim().batchSize(), taskSeed());
    }
    return new BlockBatches(data.firstEntry().getValue(), train.optim().batchSize(), taskSeed());
  }

  /** The global ids a source holds: the specials (so they keep ids 0-2 locally) and its tokens. */
  static int[] distinctTokens(List<int[]> blocks) {
    IntStream specials = IntStream.range(0, SpecialTokens.ALL.size());
    return IntStream.concat(specials, blocks.stream().flatMapToInt(Arrays::stream)).distinct().sorted().toArray();
  }

  private static List<int[]> remap(List<int[]> blocks, int[] ids) {
    Map<Integer, Integer> local = new TreeMap<>();
    for (int i = 0; i < ids.length; i++) {
      local.put(ids[i], i);
    }
    List<int[]> out = new ArrayList<>(blocks.size());
    for (int[] b : blocks) {
      int[] m = new int[b.length];
      for (int i = 0; i < b.length; i++) {
        m[i] = local.get(b[i]);
      }
      out.add(m);
    }
    return out;
  }
}
