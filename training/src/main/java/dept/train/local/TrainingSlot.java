package dept.train.local;

import java.util.concurrent.Semaphore;

/**
 * DJL allows one GradientCollector per JVM at a time, so training holds this slot: a second
 * trainer in the same executor waits for it instead of failing with "already collecting".
 */
public final class TrainingSlot implements AutoCloseable {

  private static final Semaphore SLOT = new Semaphore(1, true);

  private TrainingSlot() {}

  /** Blocks until the slot is free; close the result to release it. */
  public static TrainingSlot acquire() {
    SLOT.acquireUninterruptibly();
    return new TrainingSlot();
  }

  @Override
  public void close() {
    SLOT.release();
  }
}
