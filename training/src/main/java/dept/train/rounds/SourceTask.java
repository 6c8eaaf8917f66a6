package dept.train.rounds;

import dept.train.federated.ClientUpdate;
import dept.train.random.Seeds;
import dept.train.local.AdamW;
import dept.train.local.BatchOrder;
import dept.train.local.Evaluator;
import dept.train.local.LocalTrainer;
import dept.train.params.NamedTensors;
import dept.train.rtd.RtdModel;
import dept.train.scone.SconeModels;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.TaskContext;

/**
 * What one task does in one round, inside Spark: restore its source's state from the store, take
 * the input side its sharing policy gives it, train H local steps, persist the new state for round
 * r, and send back what the policy uploads. The state it reads is round r-1's, so a retried or
 * re-run task computes exactly the same thing.
 */
record SourceTask(SourceSide side, TaskKey key, int round, int roundAttempt, FaultInjector faults) implements Serializable {

  /**
   * What a task reports to the driver: metrics only. Its parameters go up as {@link Trained#upload}
   * and are averaged shard by shard where they are ({@link ShardedAggregation}). Bytes are the
   * serialised sizes; params the float counts they carry; {@code embeddingParams} the embedding
   * parameters the task held and trained (its memory); {@code momentSteps} the AdamW step count of
   * the shared moments it sends up (inner state AVERAGE), else 0; {@code blocksRead} the distinct
   * blocks it read for the round (at most H x B) and {@code rowsScanned} the rows Parquet decoded
   * to find them.
   */
  record Result(String source, int replica, int round, long tokens, float[] losses, long bytesDown, long bytesUp,
      long paramsDown, long paramsUp, long embeddingParams, long computeMillis, long taskMillis, long momentSteps,
      boolean diverged, int blocksRead, long rowsScanned, double localValLoss, double localValBitsPerByte) implements Serializable {

    float lastLoss() {
      return losses.length == 0 ? Float.NaN : losses[losses.length - 1];
    }
  }

  /**
   * A task's report and what it sends up: the new values of what the driver aggregates (TRIM's
   * token rows with their global ids), and under AVERAGE its shared moments (else null).
   */
  record Trained(Result result, ClientUpdate upload, AdamW.State moments) {}

  /** The seed of everything random at this task: its batches, ACT's resets, RTD's corruptions. */
  long taskSeed() {
    return Seeds.derive(side.train().seed(), "task", key.source(), key.replica());
  }

  /** The seed of a source's own (SPEC) embeddings: shared by its replicas. */
  static long embeddingSeed(long seed, String source) {
    return Seeds.derive(seed, "embeddings", source);
  }

  /**
   * @param corpus what the task knows of its data (block counts, token counts)
   * @param files where it reads the round's blocks
   * @param fgrams the f-grams a {@code +SCONE} variant uses for this source's tokenizer (null without SCONE)
   */
  Trained run(TaskCorpus corpus, BlockFiles files, Down down, List<int[]> fgrams) {
    long taskStart = System.nanoTime();
    TaskContext ctx = TaskContext.get();
    int attempt = roundAttempt + (ctx == null ? 0 : ctx.attemptNumber());
    if (faults != null) {
      faults.beforeTask(key.source(), key.replica(), round, attempt);
    }
    TrainConfig train = side.train();
    Variant variant = side.variant();
    SharingPolicy policy = variant.policy();
    InnerState inner = train.innerFor(variant);
    CheckpointStore store = side.store();
    SourceState previous = previousState(store);
    NamedTensors body = down.body();
    AdamW.State momentsDown = down.moments();

    TaskInputs in = policy.receive(side, previous, down.embeddings(), corpus, fgrams);
    long bytesDown = down.bodyBytes() + in.bytesDown() + down.momentBytes();
    long paramsDown = body.parameterCount() + in.paramsDown() + (momentsDown == null ? 0 : 2 * momentsDown.m().parameterCount());
    var lm = SconeModels.withFgrams(in.lm(), train.sconeFor(variant), in.fgrams());
    boolean keepPrivate = train.privateState() == TrainConfig.PrivateState.KEEP;
    AdamW.State start = startingMoments(inner, keepPrivate, body.with(in.embeddings()), previous, momentsDown);

    LocalTrainer trainer = policy.configure(new LocalTrainer(lm, train.optim(), (long) train.rounds() * train.localSteps(),
        String.format("round %d/%d %s", round, train.rounds(), key), Math.max(1, train.localSteps() / 2)), train, taskSeed());
    if (variant.rtd()) {
      RtdModel rtd = InputSide.rtdModel(lm, train);
      double[] unigram = RtdModel.unigramCdf(Arrays.copyOf(in.localCounts(corpus.tokenCounts()), lm.vocabSize()));
      long seed = taskSeed();
      // Corruption is seeded by the global step, so a resumed or retried round draws the same replacements.
      trainer.withObjective((batch, arr, step, w, g) -> rtd.loss(batch, w, step, new Random(Seeds.derive(seed, "corrupt", g)), unigram));
    }
    BatchOrder order = policy.order(corpus, train, taskSeed());
    order.skip(previous.batchesServed()); // continue the seeded order where the previous round stopped
    RoundBlocks data = RoundBlocks.read(order, train.localSteps(), corpus, files,
        in.rowIds() == null ? null : RoundBlocks.toLocal(in.rowIds(), side.vocabSize()));
    LocalTrainer.Result r = trainer.train(body, in.embeddings(), start, data.batches().iterator(), train.localSteps(),
        (long) (round - 1) * train.localSteps());
    NamedTensors after = r.body().with(r.embeddings());
    if (faults != null && faults.poisons(key.source(), key.replica(), round, attempt)) {
      after = after.scaled(Float.NaN); // an injected divergence
    }
    float[] losses = r.metrics().losses();
    float last = losses.length == 0 ? Float.NaN : losses[losses.length - 1];
    boolean exploded = train.maxLossRatio() > 0 && last > train.maxLossRatio() * losses[0];
    boolean diverged = exploded || !Float.isFinite(last) || !after.allFinite();

    // A diverged task keeps its previous state; the driver leaves its update out of the round.
    SourceState next = diverged ? previous
        : new SourceState(policy.kept(r.embeddings()), keptMoments(inner, keepPrivate, policy, r.optimizer()),
            previous.batchesServed() + train.localSteps());
    store.writeSourceState(key.statePath(), round, next::write);

    Evaluator.Metrics local = diverged ? null : localValidation(r, down, in);
    SharingPolicy.Upload upload = policy.upload(after, in);
    long bytesUp = upload.trained().byteSize() + (upload.rowIds() == null ? 0 : 4L * upload.rowIds().length);
    long paramsUp = upload.trained().parameterCount();
    AdamW.State momentsUp = null;
    if (inner == InnerState.AVERAGE) {
      momentsUp = r.optimizer().select(policy::aggregated);
      bytesUp += momentsUp.m().byteSize() + momentsUp.v().byteSize();
      paramsUp += 2 * momentsUp.m().parameterCount();
    }
    Result result = new Result(key.source(), key.replica(), round, r.metrics().tokens(), losses, bytesDown, bytesUp,
        paramsDown, paramsUp, in.embeddings().parameterCount(), r.metrics().wallMillis(),
        (System.nanoTime() - taskStart) / 1_000_000, momentsUp == null ? 0 : momentsUp.steps(), diverged, data.blocksRead(),
        data.rowsScanned(), local == null ? Double.NaN : local.meanLoss(), local == null ? Double.NaN : local.bitsPerByte());
    Map<String, int[]> rows = upload.rowIds() == null ? Map.of() : Map.of(SharingPolicy.Upload.TABLE, upload.rowIds());
    return new Trained(result, new ClientUpdate(key.source(), upload.trained(), r.metrics().tokens(), rows), momentsUp);
  }

  /**
   * With {@code train.local_validation} in a validation round: the model this task trained, before
   * aggregation, on its source's validation sample (null otherwise, and for the mixture, ELECTRA
   * and TRIM+SCONE tasks, whose local models validation does not score).
   */
  private Evaluator.Metrics localValidation(LocalTrainer.Result r, Down down, TaskInputs in) {
    TrainConfig train = side.train();
    Variant variant = side.variant();
    boolean localFgramIds = variant.scone() && in.rowIds() != null;
    if (!train.localValidation() || !train.validates(round) || variant.mixture() || variant.rtd() || localFgramIds) {
      return null;
    }
    NamedTensors embeddings = in.rowIds() == null ? r.embeddings() : LocalValidation.scattered(down.embeddings(), r.embeddings(), in.rowIds());
    boolean[] held = in.rowIds() == null ? null : LocalValidation.mask(in.rowIds(), side.vocabSize());
    var lm = SconeModels.withFgrams(side.lm(), train.sconeFor(variant), in.fgrams());
    return LocalValidation.score(lm, r.body(), embeddings, held, LocalValidation.read(side.store(), key.source()));
  }

  /**
   * What the driver sends a task, read from its sharded broadcasts: the body, the global input side
   * (null for SPEC), the averaged moments (null unless AVERAGE), and the serialised sizes received.
   */
  record Down(NamedTensors body, long bodyBytes, NamedTensors embeddings, AdamW.State moments, long momentBytes) {}

  /** This task's state after round r-1; with replicas, its replicas' embeddings and moments averaged. */
  private SourceState previousState(CheckpointStore store) {
    SourceState own = store.readSourceState(key.statePath(), round - 1, SourceState::read).orElse(SourceState.empty());
    int replicas = side.train().replicas();
    if (replicas == 1) {
      return own;
    }
    List<SourceState> all = new ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      store.readSourceState(new TaskKey(key.source(), i).statePath(), round - 1, SourceState::read).ifPresent(all::add);
    }
    return all.isEmpty() ? own : SourceState.mean(all, own.batchesServed());
  }

  /**
   * Under RESET the shared tensors' moments start fresh; the private tensors' (kept in the store
   * only when {@code keepPrivate}) continue, each set with its own bias-correction count.
   */
  private static AdamW.State startingMoments(InnerState inner, boolean keepPrivate, NamedTensors params, SourceState previous,
      AdamW.State momentsDown) {
    AdamW.State fresh = AdamW.State.fresh(params);
    if (inner == InnerState.RESET) {
      return keepPrivate && previous.optimizer() != null ? fresh.keeping(previous.optimizer()) : fresh;
    }
    AdamW.State start = previous.optimizer() == null ? fresh : fresh.overriding(previous.optimizer());
    if (momentsDown != null) {
      start = start.overriding(momentsDown);
    }
    return start;
  }

  /**
   * The moments a task keeps in the store: all under KEEP; its local tensors' under AVERAGE; under
   * RESET those of the tensors that never leave the source (SPEC's embeddings), unless
   * {@code private_state: follow}.
   */
  private static AdamW.State keptMoments(InnerState inner, boolean keepPrivate, SharingPolicy policy, AdamW.State moments) {
    return switch (inner) {
      case RESET -> {
        AdamW.State own = moments.select(n -> !policy.uploaded(n));
        yield keepPrivate && !own.m().names().isEmpty() ? own : null;
      }
      case KEEP -> moments;
      case AVERAGE -> moments.select(n -> !policy.aggregated(n));
    };
  }
}
