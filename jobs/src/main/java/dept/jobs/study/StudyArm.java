package dept.jobs.study;

import dept.train.rounds.Sharing;
import dept.jobs.config.StudyConfig;
import dept.train.rounds.Variant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One arm of the study: a variant (and for STD its mixture temperature) trained with the same
 * body and token budget as every other arm.
 *
 * @param name directory-safe label, e.g. {@code std-t0.3} or {@code spec-scone}
 * @param temperature the STD mixture temperature, null for the other variants
 */
public record StudyArm(String name, Variant variant, Double temperature) {

  /** STD at each temperature first (the paper's baselines), then the variants, in config order. */
  public static List<StudyArm> of(StudyConfig study) {
    List<StudyArm> arms = new ArrayList<>();
    for (double t : study.stdTemperatures()) {
      arms.add(new StudyArm("std-t" + trimmed(t), Variant.of(Sharing.STD), t));
    }
    for (Variant v : study.variants()) {
      arms.add(new StudyArm(v.directory(), v, null));
    }
    return arms;
  }

  private static String trimmed(double t) {
    String s = String.format(Locale.ROOT, "%.3f", t).replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  /** The NaN-for-absent temperature the result tables carry. */
  public double temperatureOrNaN() {
    return temperature == null ? Double.NaN : temperature;
  }

  /**
   * Config overrides that turn the study's config into this arm's run with {@code seed}: its own
   * output root on the shared data, the seed, the one variant, and for the mixture variants H x K
   * local steps per round, so that the one mixture task consumes as many tokens per round as the K
   * per-source tasks of the decoupled variants.
   *
   * @param sourcesPerRound K: the sources a decoupled round trains
   */
  public List<String> overrides(long seed, String output, String data, String runName, int localSteps, int sourcesPerRound,
      List<String> extendMethods) {
    List<String> o = new ArrayList<>();
    o.add("run.output=" + quoted(output));
    o.add("run.data=" + quoted(data));
    o.add("run.name=" + runName + "-seed" + seed + "-" + name);
    o.add("run.seed=" + seed);
    o.add("train.seed=" + seed);
    o.add("extend.seed=" + seed);
    o.add("train.variants=[" + quoted(variant.name()) + "]");
    if (temperature != null) {
      o.add("train.temperature=" + temperature);
    }
    if (variant.mixture()) {
      o.add("train.local_steps=" + (long) localSteps * sourcesPerRound);
    }
    o.add("extend.methods=[" + String.join(", ", extendMethods) + "]");
    return o;
  }

  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
