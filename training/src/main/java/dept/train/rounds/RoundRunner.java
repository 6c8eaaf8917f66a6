package dept.train.rounds;

import dept.train.local.AdamW;
import dept.train.params.NamedTensors;
import dept.train.params.ShardPlan;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.resource.ResourceProfileBuilder;
import org.apache.spark.resource.TaskResourceRequests;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flower's fit step on Spark: one round's tasks as one Spark job, one partition per task (its
 * {@link TaskCorpus}; each task reads its round's blocks from the files), with the driver's tensors broadcast shard by shard and the updates averaged on executors
 * ({@link ShardedAggregation}), the GPU resource profile on a cluster, and
 * {@code task_timeout_s}: a round whose tasks have not all finished in time (a hung executor) is
 * cancelled and submitted again, at most three times (tasks read round r-1's state and write round
 * r's, so a re-run is harmless).
 */
final class RoundRunner {

  private static final Logger LOG = LoggerFactory.getLogger(RoundRunner.class);
  private static final int ATTEMPTS = 3;

  /**
   * A round's outcome: every task's report, the mean of their uploads and shared moments (computed
   * on executors), and the times of the broadcast and of the tasks with their aggregation.
   */
  record Done(List<SourceTask.Result> results, NamedTensors meanTrained, AdamW.State meanMoments, long broadcastMs,
      long tasksMs) {}

  private final JavaSparkContext jsc;
  private final RoundSetup setup;
  private final FaultInjector faults;
  private final ResourceProfile gpus;

  RoundRunner(JavaSparkContext jsc, RoundSetup setup, FaultInjector faults) {
    this.jsc = jsc;
    this.setup = setup;
    this.faults = faults;
    this.gpus = gpuProfile(jsc, setup.train().gpusPerTask());
  }

  Done run(JavaPairRDD<TaskKey, TaskCorpus> corpora, BlockFiles files, List<String> sources, int round, DriverState state,
      Broadcast<Map<String, List<int[]>>> fgrams) {
    TrainConfig train = setup.train();
    ShardPlan plan = state.plan(train.shardBytes());
    boolean byTokens = state.outer.weightByTokens();
    for (int attempt = 0; ; attempt++) {
      long start = System.nanoTime();
      Map<TaskKey, SourceTask> tasks = RoundPlan.tasks(setup, sources, round, attempt, faults);
      ShardedBroadcast bodyDown = ShardedBroadcast.of(jsc, state.body, plan);
      ShardedBroadcast embedDown = ShardedBroadcast.of(jsc, state.embeddings, plan);
      ShardedBroadcast mDown = ShardedBroadcast.of(jsc, state.moments == null ? null : state.moments.m(), plan);
      ShardedBroadcast vDown = ShardedBroadcast.of(jsc, state.moments == null ? null : state.moments.v(), plan);
      long steps = state.moments == null ? 0 : state.moments.steps();
      long broadcastMs = ms(start);
      long tasksStart = System.nanoTime();
      String group = String.format(Locale.ROOT, "dept-%s-round-%d-attempt-%d", setup.variant(), round, attempt);
      jsc.setJobGroup(group, String.format(Locale.ROOT, "DEPT %s round %d/%d", setup.variant(), round, train.rounds()), true);
      try {
        JavaRDD<SourceTask.Trained> trained = corpora
            .filter(t -> tasks.containsKey(t._1()))
            .map(t -> tasks.get(t._1()).run(t._2(), files, down(bodyDown, embedDown, mDown, vDown, steps),
                fgrams.value().get(t._1().source())));
        if (gpus != null) {
          trained = trained.withResources(gpus);
        }
        JavaRDD<ShardedAggregation.Reduced> reduced = ShardedAggregation.reduce(trained, plan, bodyDown, embedDown, byTokens,
            ShardedAggregation.partitions(plan, jsc.defaultParallelism()));
        if (train.taskTimeoutS() == 0) {
          return done(reduced.collect(), plan, broadcastMs, tasksStart);
        }
        JavaFutureAction<List<ShardedAggregation.Reduced>> job = reduced.collectAsync();
        try {
          return done(job.get(train.taskTimeoutS(), TimeUnit.SECONDS), plan, broadcastMs, tasksStart);
        } catch (TimeoutException e) {
          job.cancel(true);
          jsc.cancelJobGroup(group);
          LOG.warn("{} round {}: tasks still running after task_timeout_s = {} s (attempt {}); cancelled, running the round again",
              setup.variant(), round, train.taskTimeoutS(), attempt + 1);
          if (attempt == ATTEMPTS - 1) {
            throw new IllegalStateException(setup.variant() + " round " + round + ": tasks did not finish within "
                + train.taskTimeoutS() + " s in " + ATTEMPTS + " attempts; raise train.task_timeout_s or check the executors");
          }
        } catch (ExecutionException e) {
          throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          job.cancel(true);
          throw new IllegalStateException("interrupted while waiting for round " + round, e);
        }
      } finally {
        jsc.clearJobGroup();
        bodyDown.destroy();
        embedDown.destroy();
        mDown.destroy();
        vDown.destroy();
      }
    }
  }

  private static Done done(List<ShardedAggregation.Reduced> reduced, ShardPlan plan, long broadcastMs, long tasksStart) {
    ShardedAggregation.Outcome o = ShardedAggregation.assemble(reduced, plan);
    return new Done(o.results(), o.meanTrained(), o.meanMoments(), broadcastMs, ms(tasksStart));
  }

  /** A task's view of the driver's broadcasts. */
  private static SourceTask.Down down(ShardedBroadcast body, ShardedBroadcast embeddings, ShardedBroadcast m,
      ShardedBroadcast v, long steps) {
    NamedTensors mean = m.value();
    AdamW.State moments = mean == null ? null : new AdamW.State(mean, v.value(), steps);
    return new SourceTask.Down(body.value(), body.bytes(), embeddings.value(), moments, m.bytes() + v.bytes());
  }

  private static ResourceProfile gpuProfile(JavaSparkContext jsc, int gpusPerTask) {
    if (gpusPerTask == 0) {
      return null;
    }
    if (jsc.sc().isLocal()) {
      LOG.info("train.gpus_per_task = {} is ignored in local mode: tasks share this JVM's devices", gpusPerTask);
      return null;
    }
    TaskResourceRequests task = new TaskResourceRequests().cpus(1).resource("gpu", gpusPerTask);
    return new ResourceProfileBuilder().require(task).build();
  }

  static long ms(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
