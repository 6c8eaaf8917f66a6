package dept.train.rounds;

import dept.train.federated.OuterConfig;
import dept.train.local.OptimConfig;
import dept.train.rtd.RtdConfig;
import dept.train.scone.SconeConfig;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * The {@code train:} section: how DEPT rounds run. The model comes from {@code model:} and the
 * context length from {@code tokenize.seq_len}.
 *
 * @param variants the variants {@code dept train} runs, each into its own directory: STD, ACT, GLOB, TRIM, SPEC,
 *     each optionally with SCONE inputs ({@code SPEC+SCONE})
 * @param rounds outer rounds R
 * @param localSteps inner steps H per round
 * @param sourcesPerRound sources sampled per round (seeded); 0 = all
 * @param replicas tasks per source, each on a disjoint shard of its blocks, averaged
 * @param seed every random choice of a run derives from it (inits, sampling, batches)
 * @param checkpointEvery write a checkpoint every C rounds (and after the last)
 * @param evalEvery validate every E rounds (and after the last)
 * @param evalBlocks at most this many validation blocks per source (0 = all)
 * @param innerState reset | keep | average (see {@link InnerState}); STD and ACT always keep
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
 * @param objective clm (next-token prediction) or rtd (ELECTRA's replaced-token detection for every
 *     variant, as if each were written {@code <variant>+RTD})
 * @param rtd the replaced-token detection of the {@code +RTD} variants
 */
public record TrainConfig(
    List<String> variants, Integer rounds, Integer localSteps, Integer sourcesPerRound, Integer replicas, Long seed,
    Integer checkpointEvery, Integer evalEvery, Integer evalBlocks, String innerState, Double temperature,
    Integer actResetEvery, Integer gpusPerTask, Integer taskTimeoutS, FaultConfig faults, Double maxLossRatio,
    OptimConfig optim, OuterConfig outer, SconeConfig scone, String objective, RtdConfig rtd) implements Serializable {

  public TrainConfig {
    objective = objective == null ? "clm" : objective.toLowerCase(Locale.ROOT);
    if (!objective.equals("clm") && !objective.equals("rtd")) {
      throw new IllegalArgumentException("train.objective must be clm or rtd, got '" + objective + "'");
    }
    boolean allRtd = objective.equals("rtd");
    variants = variants == null ? List.of("SPEC") : variants.stream().map(v -> v.toUpperCase(Locale.ROOT))
        .map(v -> allRtd && !v.endsWith(RtdConfig.SUFFIX) ? v + RtdConfig.SUFFIX : v).toList();
    variants.forEach(SharingPolicy::of);
    rtd = rtd == null ? RtdConfig.defaults() : rtd;
    rounds = rounds == null ? 10 : rounds;
    localSteps = localSteps == null ? 50 : localSteps;
    sourcesPerRound = sourcesPerRound == null ? 0 : sourcesPerRound;
    replicas = replicas == null ? 1 : replicas;
    seed = seed == null ? 1234L : seed;
    checkpointEvery = checkpointEvery == null ? 1 : checkpointEvery;
    evalEvery = evalEvery == null ? 5 : evalEvery;
    evalBlocks = evalBlocks == null ? 0 : evalBlocks;
    innerState = innerState == null ? "reset" : innerState.toLowerCase(Locale.ROOT);
    InnerState.of(innerState);
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
    if (rounds < 1 || localSteps < 1 || replicas < 1 || checkpointEvery < 1 || evalEvery < 1) {
      throw new IllegalArgumentException("train: rounds, local_steps, replicas, checkpoint_every and eval_every must be >= 1");
    }
    if (sourcesPerRound < 0 || evalBlocks < 0 || gpusPerTask < 0 || taskTimeoutS < 0 || actResetEvery < 1) {
      throw new IllegalArgumentException(
          "train: sources_per_round, eval_blocks, gpus_per_task, task_timeout_s must be >= 0, act_reset_every >= 1");
    }
    if (temperature < 0 || temperature > 1) {
      throw new IllegalArgumentException("train.temperature must be in [0, 1], got " + temperature);
    }
  }

  public static TrainConfig defaults() {
    return new TrainConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  public InnerState inner() {
    return InnerState.of(innerState);
  }

  /** A copy that runs only {@code variant}, e.g. for {@code dept train --variant}. */
  public TrainConfig only(String variant) {
    return new TrainConfig(List.of(variant), rounds, localSteps, sourcesPerRound, replicas, seed, checkpointEvery,
        evalEvery, evalBlocks, innerState, temperature, actResetEvery, gpusPerTask, taskTimeoutS, faults, maxLossRatio, optim, outer,
        scone, objective, rtd);
  }

  /** A copy with other SCONE settings (the scaling sweep). */
  public TrainConfig withScone(SconeConfig other) {
    return new TrainConfig(variants, rounds, localSteps, sourcesPerRound, replicas, seed, checkpointEvery,
        evalEvery, evalBlocks, innerState, temperature, actResetEvery, gpusPerTask, taskTimeoutS, faults, maxLossRatio, optim, outer,
        other, objective, rtd);
  }

  /** A copy with other replaced-token-detection settings (the generator comparison). */
  public TrainConfig withRtd(RtdConfig other) {
    return new TrainConfig(variants, rounds, localSteps, sourcesPerRound, replicas, seed, checkpointEvery,
        evalEvery, evalBlocks, innerState, temperature, actResetEvery, gpusPerTask, taskTimeoutS, faults, maxLossRatio, optim, outer,
        scone, objective, other);
  }

  /** The replaced-token-detection settings a variant trains with: null for next-token prediction. */
  public RtdConfig rtdFor(SharingPolicy policy) {
    return policy.rtd() ? rtd : null;
  }

  /** The SCONE settings a variant trains with: null when it has no SCONE inputs. */
  public SconeConfig sconeFor(SharingPolicy policy) {
    return policy.scone() ? scone : null;
  }

  /** The inner-state mode a variant uses: the mixture baselines are one continuous model, so they keep. */
  public InnerState innerFor(SharingPolicy policy) {
    return policy.mixture() ? InnerState.KEEP : inner();
  }
}
