package dept.train.local;

import dept.train.params.NamedTensors;
import dept.train.params.Tensor;
import java.util.Map;
import java.util.TreeMap;

/**
 * AdamW (Loshchilov and Hutter) on plain float arrays: the moments are {@link NamedTensors}, so
 * the optimiser state can be reset, kept per source, averaged and checkpointed like parameters.
 * Decoupled weight decay applies only to tensors of rank >= 2.
 */
public final class AdamW {

  /**
   * Moments per parameter and the number of updates taken.
   *
   * @param steps the updates these moments have seen (their bias correction)
   * @param fromZero tensors whose moments are fresh while the others' continue: they count their
   *     own updates from 0 (a source keeps its private tensors' moments across rounds while the
   *     shared ones restart)
   */
  public record State(NamedTensors m, NamedTensors v, long steps, java.util.Set<String> fromZero) {

    public State {
      fromZero = fromZero == null ? java.util.Set.of() : java.util.Set.copyOf(fromZero);
    }

    public State(NamedTensors m, NamedTensors v, long steps) {
      this(m, v, steps, java.util.Set.of());
    }

    /** This state with the moments of {@code kept} (and their step count); every other tensor's fresh, counting from 0. */
    public State keeping(State kept) {
      java.util.Set<String> fresh = new java.util.TreeSet<>(m.names());
      fresh.removeAll(kept.m().names());
      return new State(m.with(kept.m), v.with(kept.v), kept.steps, fresh);
    }

    /** Zero moments for {@code params}' layout. */
    public static State fresh(NamedTensors params) {
      TreeMap<String, Tensor> zeros = new TreeMap<>();
      params.asMap().forEach((n, t) -> zeros.put(n, new Tensor(t.shape(), new float[t.size()])));
      NamedTensors z = new NamedTensors(zeros);
      return new State(z, z, 0);
    }

    /** This state with the moments (and step count) of {@code other} wherever {@code other} has them. */
    public State overriding(State other) {
      return new State(m.with(other.m), v.with(other.v), other.steps);
    }

    /** The moments of the tensors whose name passes {@code keep}. */
    public State select(java.util.function.Predicate<String> keep) {
      return new State(m.select(keep), v.select(keep), steps);
    }
  }

  private final OptimConfig config;
  private final TreeMap<String, float[]> m = new TreeMap<>();
  private final TreeMap<String, float[]> v = new TreeMap<>();
  private final TreeMap<String, long[]> shapes = new TreeMap<>();
  private long steps;
  private final TreeMap<String, Long> stepsOf = new TreeMap<>(); // per tensor: see State#fromZero

  public AdamW(OptimConfig config, State state) {
    this.config = config;
    state.m().asMap().forEach((n, t) -> {
      m.put(n, t.data().clone());
      shapes.put(n, t.shape());
    });
    state.v().asMap().forEach((n, t) -> v.put(n, t.data().clone()));
    this.steps = state.steps();
    m.keySet().forEach(n -> stepsOf.put(n, state.fromZero().contains(n) ? 0L : state.steps()));
  }

  /**
   * One update of {@code params} in place from {@code grads} (same names), after scaling the
   * gradients by {@code gradScale} (the clip factor).
   */
  public void step(Map<String, float[]> params, Map<String, float[]> grads, double lr, double gradScale) {
    steps++;
    double b1 = config.beta1();
    double b2 = config.beta2();
    for (Map.Entry<String, float[]> e : params.entrySet()) {
      String name = e.getKey();
      long own = stepsOf.merge(name, 1L, Long::sum);
      double c1 = 1 - Math.pow(b1, own);
      double c2 = 1 - Math.pow(b2, own);
      float[] p = e.getValue();
      float[] g = grads.get(name);
      float[] mm = m.get(name);
      float[] vv = v.get(name);
      if (g == null || mm == null) {
        throw new IllegalArgumentException("no gradient or optimiser state for " + name);
      }
      double decay = shapes.get(name).length >= 2 ? lr * config.weightDecay() : 0;
      for (int i = 0; i < p.length; i++) {
        double gi = g[i] * gradScale;
        mm[i] = (float) (b1 * mm[i] + (1 - b1) * gi);
        vv[i] = (float) (b2 * vv[i] + (1 - b2) * gi * gi);
        double update = (mm[i] / c1) / (Math.sqrt(vv[i] / c2) + config.eps());
        p[i] = (float) (p[i] - decay * p[i] - lr * update);
      }
    }
  }

  /** Zeroes the moments of {@code name}, e.g. after its tensor was re-initialised. */
  public void resetMoments(String name) {
    java.util.Arrays.fill(m.get(name), 0f);
    java.util.Arrays.fill(v.get(name), 0f);
  }

  public State state() {
    TreeMap<String, Tensor> mt = new TreeMap<>();
    TreeMap<String, Tensor> vt = new TreeMap<>();
    m.forEach((n, a) -> mt.put(n, new Tensor(shapes.get(n), a.clone())));
    v.forEach((n, a) -> vt.put(n, new Tensor(shapes.get(n), a.clone())));
    return new State(new NamedTensors(mt), new NamedTensors(vt), steps);
  }
}
