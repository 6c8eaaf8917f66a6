package dept.train.local;

/** Linear warm-up to the peak, then cosine decay to the floor at {@code totalSteps}: a pure function. */
public record LrSchedule(double lr, double minLr, int warmupSteps, long totalSteps) {

  public static LrSchedule of(OptimConfig c, long totalSteps) {
    return new LrSchedule(c.lr(), c.minLr(), c.warmupSteps(), totalSteps);
  }

  /** The learning rate of global step {@code step} (0-based). */
  public double at(long step) {
    if (step < warmupSteps) {
      return lr * (step + 1) / warmupSteps;
    }
    if (step >= totalSteps) {
      return minLr;
    }
    double progress = (step - warmupSteps) / (double) Math.max(1, totalSteps - warmupSteps);
    return minLr + 0.5 * (1 + Math.cos(Math.PI * progress)) * (lr - minLr);
  }
}
