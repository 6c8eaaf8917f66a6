package dept.train.local;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dept.train.model.DecoderLm;
import dept.train.model.ModelParams;
import dept.train.params.NamedTensors;
import java.util.Iterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs H steps of AdamW on a body and a set of embeddings, nanoGPT's loop made explicit: take the
 * training slot, then per step a fresh NDManager, forward + backward under one GradientCollector,
 * clip the global gradient norm, update, and log progress. Returns the new parameters, optimiser
 * state and metrics; the inputs are not changed.
 */
public final class LocalTrainer {

  private static final Logger LOG = LoggerFactory.getLogger(LocalTrainer.class);

  /** What one run of local steps did. */
  /** @param skippedSteps steps whose gradient was not finite, so no update was applied */
  public record Metrics(float[] losses, long tokens, long wallMillis, int skippedSteps) {
    public double tokensPerSecond() {
      return tokens / Math.max(1e-9, wallMillis / 1000.0);
    }

    public float lastLoss() {
      return losses.length == 0 ? Float.NaN : losses[losses.length - 1];
    }
  }

  public record Result(NamedTensors body, NamedTensors embeddings, AdamW.State optimizer, Metrics metrics) {}

  private final DecoderLm model;
  private final OptimConfig optim;
  private final LrSchedule schedule;
  private final String label;
  private final int logEvery;
  private int skipped;
  private int forgetEvery;
  private long forgetSeed;
  private Objective objective;

  /** A training loss other than next-token prediction (e.g. ELECTRA's replaced-token detection). */
  @FunctionalInterface
  public interface Objective {
    /**
     * @param batch the blocks as host ids (B, T+1)
     * @param globalStep the step's global index: randomness seeded by it replays exactly on resume
     */
    NDArray loss(int[][] batch, ai.djl.ndarray.NDArray blocks, ai.djl.ndarray.NDManager step, dept.train.model.Weights w, long globalStep);
  }

  /** Trains on {@code loss} instead of the next-token loss. */
  public LocalTrainer withObjective(Objective loss) {
    this.objective = loss;
    return this;
  }

  /**
   * @param totalSteps the run's whole step budget, for the cosine schedule (global steps)
   * @param label what progress lines call this run, e.g. {@code round 3 / en}
   */
  public LocalTrainer(DecoderLm model, OptimConfig optim, long totalSteps, String label, int logEvery) {
    this.model = model;
    this.optim = optim;
    this.schedule = LrSchedule.of(optim, totalSteps);
    this.label = label;
    this.logEvery = logEvery;
  }

  /** The device to train on: the GPU Spark gave this task when there is one, else the engine's default. */
  public static Device device() {
    return TaskDevice.current();
  }

  /**
   * Active forgetting (Chen et al. 2023): re-initialise the token embeddings, and zero their
   * moments, before every global step that is a positive multiple of {@code everySteps}.
   */
  public LocalTrainer withActiveForgetting(int everySteps, long seed) {
    this.forgetEvery = everySteps;
    this.forgetSeed = seed;
    return this;
  }

  /**
   * @param state optimiser state for body + embeddings (e.g. {@link AdamW.State#fresh})
   * @param firstStep the global step of the first local step (round x H), for the schedule
   */
  public Result train(
      NamedTensors body, NamedTensors embeddings, AdamW.State state, Iterator<int[][]> batches,
      int steps, long firstStep) {
    return train(body, embeddings, state, batches, steps, firstStep, (step, loss) -> {});
  }

  /** Called after every local step (1-based) with its loss, inside the training slot. */
  @FunctionalInterface
  public interface StepObserver {
    void afterStep(int step, float loss);
  }

  /** As {@link #train(NamedTensors, NamedTensors, AdamW.State, Iterator, int, long)}, observed. */
  public Result train(
      NamedTensors body, NamedTensors embeddings, AdamW.State state, Iterator<int[][]> batches,
      int steps, long firstStep, StepObserver observer) {
    try (TrainingSlot slot = TrainingSlot.acquire();
        NDManager root = NDManager.newBaseManager(device());
        ModelParams params = new ModelParams(body.with(embeddings), root, device(), true)) {
      LOG.info("{}: {} local steps on {}", label, steps, device());
      AdamW adam = new AdamW(optim, state);
      skipped = 0;
      float[] losses = new float[steps];
      long tokens = 0;
      long start = System.nanoTime();
      for (int s = 0; s < steps; s++) {
        int[][] batch = batches.next();
        forgetIfDue(params, adam, firstStep + s);
        losses[s] = step(params, adam, batch, schedule.at(firstStep + s), firstStep + s);
        tokens += (long) batch.length * (batch[0].length - 1);
        if (!Float.isFinite(losses[s])) {
          LOG.warn("{}: loss is {} at step {}; stopping this run", label, losses[s], s);
          losses = java.util.Arrays.copyOf(losses, s + 1);
          break;
        }
        observer.afterStep(s + 1, losses[s]);
        if (logEvery > 0 && ((s + 1) % logEvery == 0 || s + 1 == steps)) {
          progress(s + 1, steps, losses[s], tokens, start, firstStep + s);
        }
      }
      long wall = (System.nanoTime() - start) / 1_000_000;
      return new Result(
          params.toTensors(n -> n.startsWith(DecoderLm.BODY)),
          params.toTensors(n -> !n.startsWith(DecoderLm.BODY)), // embeddings and any other input side (SCONE's f-gram model)
          adam.state(),
          new Metrics(losses, tokens, wall, skipped));
    }
  }

  private void forgetIfDue(ModelParams params, AdamW adam, long globalStep) {
    if (forgetEvery > 0 && globalStep > 0 && globalStep % forgetEvery == 0) {
      String wte = DecoderLm.EMBED + "wte";
      params.get(wte).set(model.initEmbeddings(forgetSeed + globalStep).get(wte).data());
      adam.resetMoments(wte);
      LOG.info("{}: active forgetting re-initialised {} at global step {}", label, wte, globalStep);
    }
  }

  private float step(ModelParams params, AdamW adam, int[][] batch, double lr, long globalStep) {
    try (NDManager step = params.manager().newSubManager()) {
      NDArray blocks = Batches.toArray(batch, step);
      float loss;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray mean = objective == null ? model.tokenLoss(blocks, params, step).mean()
            : objective.loss(batch, blocks, step, params, globalStep);
        collector.backward(mean);
        loss = mean.getFloat();
      }
      GradientUpdate.Outcome update = GradientUpdate.apply(params.arrays(), adam, lr, optim.gradClip(), step, true);
      if (!update.applied()) {
        LOG.warn("{}: non-finite gradient (loss {}) in {}; update skipped", label, loss, update.nonFinite());
        skipped++;
      }
      return loss;
    }
  }

  private void progress(int done, int steps, float loss, long tokens, long start, long globalStep) {
    double secs = (System.nanoTime() - start) / 1e9;
    double tps = tokens / Math.max(1e-9, secs);
    double eta = secs / done * (steps - done);
    LOG.info(String.format(java.util.Locale.ROOT, "%s: step %d/%d (global %d) loss %.4f lr %.2e %.0f tok/s ETA %.0fs",
        label, done, steps, globalStep, loss, schedule.at(globalStep), tps, eta));
  }
}
