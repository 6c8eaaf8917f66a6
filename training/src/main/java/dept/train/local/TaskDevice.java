package dept.train.local;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device a Spark task trains on: the GPU address Spark assigned through the stage's resource
 * profile ({@code TaskContext.resources()}), else the engine's default (CPU, or the first GPU
 * outside Spark). A GPU address the engine cannot see (a CPU-only libtorch) falls back to the CPU.
 * Asking also pins the task thread's PyTorch intra-op threads to the task's CPUs ({@link TaskThreads}).
 */
public final class TaskDevice {

  private static final Logger LOG = LoggerFactory.getLogger(TaskDevice.class);

  private TaskDevice() {}

  public static Device current() {
    TaskContext task = TaskContext.get();
    if (task != null) {
      TaskThreads.pin(task.cpus());
      ResourceInformation gpu = task.resources().get("gpu").getOrElse(() -> null);
      if (gpu != null && gpu.addresses().length > 0) {
        int id = Integer.parseInt(gpu.addresses()[0].trim());
        if (id < Engine.getInstance().getGpuCount()) {
          return Device.gpu(id);
        }
        LOG.warn("Spark assigned GPU {} but the engine sees {} GPUs; training on CPU", id, Engine.getInstance().getGpuCount());
        return Device.cpu();
      }
    }
    return Engine.getInstance().defaultDevice();
  }
}
