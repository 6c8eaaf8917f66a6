package dept.train.rounds;

import com.fasterxml.jackson.annotation.JsonProperty;
import dept.train.federated.OuterConfig;
import dept.train.local.OptimConfig;
import dept.train.rtd.RtdConfig;
import dept.train.scone.SconeConfig;
import dept.train.scoring.ValidationSample;
import java.io.Serializable;
import java.util.List;

/**
 * The {@code train:} section: how DEPT rounds run. The model comes from {@code model:} and the
 * context length from {@code tokenize.seq_len}. Read from YAML (null = default); in code, built
 * with {@link #builder()} or changed with {@link #toBuilder()}.
 *
 * @param variants the variants {@code dept train} runs, each into its own directory (see {@link Variant})
 * @param rounds outer rounds R
 * @param localSteps inner steps H per round
 * @param sourcesPerRound sources sampled per round (seeded); 0 = all
 * @param replicas tasks per source, each on a disjoint shard of its blocks, averaged
 * @param seed every random choice of a run derives from it (inits, sampling, batches)
 * @param checkpointEvery write a checkpoint every C rounds (and after the last)
 * @param evalEvery validate every E rounds (and after the last)
 * @param evalBlocks at most this many validation blocks per source (0 = all); ignored when {@code evalBytes > 0}
 * @param evalBytes when > 0, each source is validated on its first whole validation documents
 *     within this many UTF-8 bytes, the same text under every tokenizer ({@link ValidationSample})
 * @param localValidation at every validation round, each per-source task also scores the model it
 *     trained, before aggregation, on its source's validation sample: against the aggregated
 *     model's score on the same text it gives what averaging cost that source (off by default)
 * @param innerState see {@link InnerState}, for the shared tensors' moments; STD and ACT always keep
 * @param privateState what happens to the moments of tensors that never leave a source (SPEC's
 *     embeddings): {@code keep} (default: nothing else ever touches them) or {@code follow}
 *     {@code innerState} like the shared ones (the ablation)
 * @param temperature STD/ACT mixture: source i is sampled with p ~ blocks_i^t (0 uniform, 1 by size)
 * @param actResetEvery ACT re-initialises the token embeddings every N steps
 * @param gpusPerTask GPUs each training task asks for on a cluster (0 = CPU)
 * @param taskTimeoutS a round whose tasks have not all finished after this many seconds is
 *     cancelled and run again (tasks are idempotent); 0 = wait forever
 * @param faults fault injection for reliability drills (off by default)
 * @param maxLossRatio a task whose last local loss exceeds this multiple of its first has
 *     diverged: its update is left out like a non-finite one (0 = off)
 * @param optim the inner AdamW
 * @param outer the driver's outer optimiser
 * @param scone the f-gram inputs of the {@code +SCONE} variants
 * @param objective clm (next-token prediction) or rtd (replaced-token detection for every variant,
 *     as if each were written {@code <variant>+RTD})
 * @param rtd the replaced-token detection of the {@code +RTD} variants
 * @param shardMb parameters travel (broadcast, task results, aggregation) and are checkpointed in
 *     shards of at most this many MiB ({@link dept.train.params.ShardPlan}); results do not depend on it
 */
public record TrainConfig(
    List<Variant> variants, Integer rounds, Integer localSteps, Integer sourcesPerRound, Integer replicas, Long seed,
    Integer checkpointEvery, Integer evalEvery, Integer evalBlocks, Long evalBytes, Boolean localValidation, InnerState innerState,
    PrivateState privateState, Double temperature, Integer actResetEvery, Integer gpusPerTask, Integer taskTimeoutS,
    FaultConfig faults, Double maxLossRatio, OptimConfig optim, OuterConfig outer, SconeConfig scone, Objective objective,
    RtdConfig rtd, Double shardMb)
    implements Serializable {

  /** The moments of a source's private tensors between rounds. */
  public enum PrivateState {
    /** Kept by the source across rounds whatever {@code inner_state} says. */
    @JsonProperty("keep") KEEP,
    /** Treated like the shared tensors' moments ({@code inner_state}). */
    @JsonProperty("follow") FOLLOW
  }

  /** What the body learns to predict. */
  public enum Objective {
    /** Next-token prediction (causal language modelling). */
    @JsonProperty("clm") CLM,
    /** ELECTRA's replaced-token detection, for every variant. */
    @JsonProperty("rtd") RTD
  }

  public TrainConfig {
    objective = objective == null ? Objective.CLM : objective;
    boolean allRtd = objective == Objective.RTD;
    variants = variants == null ? List.of(Variant.of(Sharing.SPEC))
        : variants.stream().map(v -> allRtd ? v.withRtd() : v).distinct().toList();
    rtd = rtd == null ? RtdConfig.defaults() : rtd;
    rounds = rounds == null ? 10 : rounds;
    localSteps = localSteps == null ? 50 : localSteps;
    sourcesPerRound = sourcesPerRound == null ? 0 : sourcesPerRound;
    replicas = replicas == null ? 1 : replicas;
    seed = seed == null ? 1234L : seed;
    checkpointEvery = checkpointEvery == null ? 1 : checkpointEvery;
    evalEvery = evalEvery == null ? 5 : evalEvery;
    evalBlocks = evalBlocks == null ? 0 : evalBlocks;
    evalBytes = evalBytes == null ? 0L : evalBytes;
    localValidation = localValidation != null && localValidation;
    privateState = privateState == null ? PrivateState.KEEP : privateState;
    innerState = innerState == null ? InnerState.RESET : innerState;
    temperature = temperature == null ? 0.3 : temperature;
    actResetEvery = actResetEvery == null ? 100 : actResetEvery;
    gpusPerTask = gpusPerTask == null ? 0 : gpusPerTask;
    taskTimeoutS = taskTimeoutS == null ? 0 : taskTimeoutS;
    faults = faults == null ? FaultConfig.none() : faults;
    maxLossRatio = maxLossRatio == null ? 4.0 : maxLossRatio;
    if (maxLossRatio < 0 || (maxLossRatio > 0 && maxLossRatio <= 1)) {
      throw new IllegalArgumentException("train.max_loss_ratio must be 0 (off) or > 1, got " + maxLossRatio);
    }
    optim = optim == null ? OptimConfig.defaults() : optim;
    outer = outer == null ? OuterConfig.defaults() : outer;
    scone = scone == null ? SconeConfig.defaults() : scone;
    shardMb = shardMb == null ? 64.0 : shardMb;
    if (!(shardMb > 0) || shardMb > 1024) {
      throw new IllegalArgumentException("train.shard_mb must be in (0, 1024], got " + shardMb);
    }
    if (rounds < 1 || localSteps < 1 || replicas < 1 || checkpointEvery < 1 || evalEvery < 1) {
      throw new IllegalArgumentException("train: rounds, local_steps, replicas, checkpoint_every and eval_every must be >= 1");
    }
    if (sourcesPerRound < 0 || evalBlocks < 0 || evalBytes < 0 || gpusPerTask < 0 || taskTimeoutS < 0 || actResetEvery < 1) {
      throw new IllegalArgumentException(
          "train: sources_per_round, eval_blocks, eval_bytes, gpus_per_task, task_timeout_s must be >= 0, act_reset_every >= 1");
    }
    if (replicas > 1 && innerState != InnerState.RESET && variants.stream().anyMatch(v -> v.sharing() == Sharing.TRIM)) {
      // A TRIM replica keeps moments for the token rows of its own shard; replicas hold different rows.
      throw new IllegalArgumentException("train: TRIM with replicas > 1 needs inner_state: reset (each replica's token "
          + "rows differ, so their kept moments cannot be averaged), got inner_state " + innerState.name().toLowerCase(java.util.Locale.ROOT)
          + " with " + replicas + " replicas");
    }
    if (temperature < 0 || temperature > 1) {
      throw new IllegalArgumentException("train.temperature must be in [0, 1], got " + temperature);
    }
  }

  /** {@link #shardMb} in bytes. */
  public long shardBytes() {
    return Math.max(64, (long) (shardMb * (1 << 20)));
  }

  public static TrainConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values, to change some of them. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.variants = variants;
    b.rounds = rounds;
    b.localSteps = localSteps;
    b.sourcesPerRound = sourcesPerRound;
    b.replicas = replicas;
    b.seed = seed;
    b.checkpointEvery = checkpointEvery;
    b.evalEvery = evalEvery;
    b.evalBlocks = evalBlocks;
    b.evalBytes = evalBytes;
    b.localValidation = localValidation;
    b.privateState = privateState;
    b.innerState = innerState;
    b.temperature = temperature;
    b.actResetEvery = actResetEvery;
    b.gpusPerTask = gpusPerTask;
    b.taskTimeoutS = taskTimeoutS;
    b.faults = faults;
    b.maxLossRatio = maxLossRatio;
    b.optim = optim;
    b.outer = outer;
    b.scone = scone;
    b.objective = objective;
    b.rtd = rtd;
    b.shardMb = shardMb;
    return b;
  }

  /** A copy that runs only {@code variant}, e.g. for {@code dept train --variant}. */
  public TrainConfig only(Variant variant) {
    return toBuilder().variants(List.of(variant)).build();
  }

  /** The replaced-token-detection settings a variant trains with: null for next-token prediction. */
  public RtdConfig rtdFor(Variant variant) {
    return variant.rtd() ? rtd : null;
  }

  /** The SCONE settings a variant trains with: null when it has no SCONE inputs. */
  public SconeConfig sconeFor(Variant variant) {
    return variant.scone() ? scone : null;
  }

  /** Whether {@code round} is validated: every {@code eval_every} rounds and the last. */
  public boolean validates(int round) {
    return round % evalEvery == 0 || round == rounds;
  }

  /** Which validation text each source is scored on. */
  public ValidationSample validationSample() {
    return new ValidationSample(evalBlocks, evalBytes);
  }

  /**
   * The inner-state mode a variant uses: a mixture baseline with one task is one continuous model,
   * so it keeps; with replicas (the IID control) it follows {@code inner_state} like the DEPT variants.
   */
  public InnerState innerFor(Variant variant) {
    return variant.mixture() && replicas == 1 ? InnerState.KEEP : innerState;
  }

  /** Sets any of {@link TrainConfig}'s fields; the rest keep their defaults (or the copied config's values). */
  public static final class Builder {
    private List<Variant> variants;
    private Integer rounds;
    private Integer localSteps;
    private Integer sourcesPerRound;
    private Integer replicas;
    private Long seed;
    private Integer checkpointEvery;
    private Integer evalEvery;
    private Integer evalBlocks;
    private Long evalBytes;
    private Boolean localValidation;
    private PrivateState privateState;
    private InnerState innerState;
    private Double temperature;
    private Integer actResetEvery;
    private Integer gpusPerTask;
    private Integer taskTimeoutS;
    private FaultConfig faults;
    private Double maxLossRatio;
    private OptimConfig optim;
    private OuterConfig outer;
    private SconeConfig scone;
    private Objective objective;
    private RtdConfig rtd;
    private Double shardMb;

    private Builder() {}

    public Builder variants(List<Variant> v) {
      variants = v;
      return this;
    }

    /** Variants by name, e.g. {@code "SPEC+SCONE"}. */
    public Builder variants(String... names) {
      variants = java.util.Arrays.stream(names).map(Variant::parse).toList();
      return this;
    }

    public Builder rounds(int v) {
      rounds = v;
      return this;
    }

    public Builder localSteps(int v) {
      localSteps = v;
      return this;
    }

    public Builder sourcesPerRound(int v) {
      sourcesPerRound = v;
      return this;
    }

    public Builder replicas(int v) {
      replicas = v;
      return this;
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public Builder checkpointEvery(int v) {
      checkpointEvery = v;
      return this;
    }

    public Builder evalEvery(int v) {
      evalEvery = v;
      return this;
    }

    public Builder evalBlocks(int v) {
      evalBlocks = v;
      return this;
    }

    public Builder evalBytes(long v) {
      evalBytes = v;
      return this;
    }

    public Builder localValidation(boolean v) {
      localValidation = v;
      return this;
    }

    public Builder privateState(PrivateState v) {
      privateState = v;
      return this;
    }

    public Builder innerState(InnerState v) {
      innerState = v;
      return this;
    }

    public Builder temperature(double v) {
      temperature = v;
      return this;
    }

    public Builder actResetEvery(int v) {
      actResetEvery = v;
      return this;
    }

    public Builder gpusPerTask(int v) {
      gpusPerTask = v;
      return this;
    }

    public Builder taskTimeoutS(int v) {
      taskTimeoutS = v;
      return this;
    }

    public Builder faults(FaultConfig v) {
      faults = v;
      return this;
    }

    public Builder maxLossRatio(double v) {
      maxLossRatio = v;
      return this;
    }

    public Builder optim(OptimConfig v) {
      optim = v;
      return this;
    }

    public Builder outer(OuterConfig v) {
      outer = v;
      return this;
    }

    public Builder scone(SconeConfig v) {
      scone = v;
      return this;
    }

    public Builder objective(Objective v) {
      objective = v;
      return this;
    }

    public Builder rtd(RtdConfig v) {
      rtd = v;
      return this;
    }

    public Builder shardMb(double v) {
      shardMb = v;
      return this;
    }

    public TrainConfig build() {
      return new TrainConfig(variants, rounds, localSteps, sourcesPerRound, replicas, seed, checkpointEvery, evalEvery,
          evalBlocks, evalBytes, localValidation, innerState, privateState, temperature, actResetEvery, gpusPerTask, taskTimeoutS, faults, maxLossRatio, optim, outer,
          scone, objective, rtd, shardMb);
    }
  }
}
