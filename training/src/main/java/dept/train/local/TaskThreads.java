package dept.train.local;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's intra-op threads for the calling Spark task: as many as the task's CPUs
 * ({@code spark.task.cpus}, 1 by default), set on the task's own thread. Left alone, the count
 * follows the process (its cores, or {@code OMP_NUM_THREADS}) and the thread that first ran an
 * operation, which differ between local mode (tasks are threads of the driver) and a cluster (each
 * executor its own process): parallel reductions then split differently and the trained parameters
 * differ in their last bits between deployments ({@code StandaloneClusterIT}).
 */
final class TaskThreads {

  private static final ThreadLocal<Integer> PINNED = new ThreadLocal<>();

  private TaskThreads() {}

  /** Sets this thread's intra-op threads to {@code cpus}, once per thread and value. */
  static void pin(int cpus) {
    Integer now = PINNED.get();
    if (now == null || now != cpus) {
      Engine.getInstance(); // the native library loads with the engine
      JniUtils.setNumThreads(cpus);
      PINNED.set(cpus);
    }
  }
}
