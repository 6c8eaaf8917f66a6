package dept.jobs.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/** Samples heap use every 50 ms on a daemon thread; {@link #stop()} returns the peak in bytes. */
final class PeakMemory {

  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private volatile boolean running = true;
  private volatile long peak;
  private final Thread sampler;

  PeakMemory() {
    System.gc();
    sampler =
        new Thread(
            () -> {
              while (running) {
                peak = Math.max(peak, memory.getHeapMemoryUsage().getUsed());
                try {
                  Thread.sleep(50);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "peak-memory");
    sampler.setDaemon(true);
    sampler.start();
  }

  long stop() {
    running = false;
    sampler.interrupt();
    return Math.max(peak, memory.getHeapMemoryUsage().getUsed());
  }
}
