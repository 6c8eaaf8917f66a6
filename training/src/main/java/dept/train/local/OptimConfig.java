package dept.train.local;

/**
 * AdamW and its schedule, as nanoGPT's train.py sets them.
 *
 * @param lr peak learning rate, reached after warm-up
 * @param minLr floor of the cosine decay
 * @param warmupSteps linear warm-up steps
 * @param weightDecay decoupled decay, on tensors with 2+ dimensions only (not norms or biases)
 * @param beta1 first-moment decay
 * @param beta2 second-moment decay
 * @param eps denominator guard
 * @param gradClip global gradient-norm clip (0 = off)
 * @param batchSize blocks per step
 */
public record OptimConfig(
    Double lr, Double minLr, Integer warmupSteps, Double weightDecay, Double beta1, Double beta2, Double eps,
    Double gradClip, Integer batchSize) implements java.io.Serializable {

  public OptimConfig {
    lr = lr == null ? 3e-3 : lr;
    minLr = minLr == null ? lr / 10 : minLr;
    warmupSteps = warmupSteps == null ? 20 : warmupSteps;
    weightDecay = weightDecay == null ? 0.1 : weightDecay;
    beta1 = beta1 == null ? 0.9 : beta1;
    beta2 = beta2 == null ? 0.95 : beta2;
    eps = eps == null ? 1e-8 : eps;
    gradClip = gradClip == null ? 1.0 : gradClip;
    batchSize = batchSize == null ? 16 : batchSize;
    if (!(lr > 0) || minLr < 0 || minLr > lr) {
      throw new IllegalArgumentException("need 0 <= min_lr <= lr and lr > 0, got lr " + lr + ", min_lr " + minLr);
    }
    if (warmupSteps < 0 || weightDecay < 0 || gradClip < 0 || batchSize < 1) {
      throw new IllegalArgumentException("warmup_steps, weight_decay, grad_clip must be >= 0 and batch_size >= 1");
    }
    if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps > 0)) {
      throw new IllegalArgumentException("betas must be in [0, 1) and eps > 0");
    }
  }

  public static OptimConfig defaults() {
    return new OptimConfig(null, null, null, null, null, null, null, null, null);
  }
}
