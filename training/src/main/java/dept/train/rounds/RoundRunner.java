package dept.train.rounds;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
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
 * Flower's fit step on Spark: one round's tasks as one Spark job, on the partitions that hold their
 * blocks, with the driver's tensors broadcast, the GPU resource profile on a cluster, and
 * {@code task_timeout_s}: a round whose tasks have not all finished in time (a hung executor) is
 * cancelled and submitted again, at most three times (tasks read round r-1's state and write round
 * r's, so a re-run is harmless).
 */
final class RoundRunner {

  private static final Logger LOG = LoggerFactory.getLogger(RoundRunner.class);
  private static final int ATTEMPTS = 3;

  /** What a broadcast of "nothing" carries (Spark broadcasts values, not nulls). */
  static final byte[] NONE = new byte[0];

  record Done(List<SourceTask.Result> results, long broadcastMs, long tasksMs) {}

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

  Done run(JavaPairRDD<TaskKey, TreeMap<String, List<int[]>>> blocks, List<String> sources, int round, DriverState state,
      Broadcast<Map<String, List<int[]>>> fgrams) {
    TrainConfig train = setup.train();
    for (int attempt = 0; ; attempt++) {
      long start = System.nanoTime();
      Map<TaskKey, SourceTask> tasks = RoundPlan.tasks(setup, sources, round, attempt, faults);
      Broadcast<byte[]> bodyDown = jsc.broadcast(state.body.toBytes());
      Broadcast<byte[]> embedDown = jsc.broadcast(state.embeddings == null ? NONE : state.embeddings.toBytes());
      Broadcast<byte[]> momentsDown = jsc.broadcast(state.moments == null ? NONE : new SourceState(null, state.moments, 0).toBytes());
      long broadcastMs = ms(start);
      long tasksStart = System.nanoTime();
      String group = String.format(Locale.ROOT, "dept-%s-round-%d-attempt-%d", setup.variant(), round, attempt);
      jsc.setJobGroup(group, String.format(Locale.ROOT, "DEPT %s round %d/%d", setup.variant(), round, train.rounds()), true);
      try {
        JavaRDD<SourceTask.Result> trained = blocks
            .filter(t -> tasks.containsKey(t._1()))
            .map(t -> tasks.get(t._1()).run(t._2(), bodyDown.value(), orNull(embedDown.value()), orNull(momentsDown.value()),
                fgrams.value().get(t._1().source())));
        if (gpus != null) {
          trained = trained.withResources(gpus);
        }
        if (train.taskTimeoutS() == 0) {
          return new Done(trained.collect(), broadcastMs, ms(tasksStart));
        }
        JavaFutureAction<List<SourceTask.Result>> job = trained.collectAsync();
        try {
          return new Done(job.get(train.taskTimeoutS(), TimeUnit.SECONDS), broadcastMs, ms(tasksStart));
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
        momentsDown.destroy();
      }
    }
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

  static byte[] orNull(byte[] b) {
    return b.length == 0 ? null : b;
  }

  static long ms(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
