package dept.jobs.study;

import dept.train.rounds.Sharing;
import dept.jobs.config.StudyConfig;
import dept.train.scone.SconeConfig;
import dept.train.rounds.Variant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One arm of the study: a variant (and for STD its mixture temperature and how it is matched)
 * trained with the same token budget as every other arm; SCONE's arms change one setting of the
 * config.
 *
 * @param name directory-safe label, e.g. {@code std-dp-t0.3}, {@code spec-scone} or {@code spec-scone-f1000}
 * @param temperature the STD mixture temperature, null for the other variants
 * @param baseline how an STD arm is matched to the DEPT arms, null for the other variants
 * @param knob {@link #MAIN} for the study's arms, else the SCONE setting this arm varies
 * @param settings config overrides that make this arm (empty for the main arms)
 */
public record StudyArm(String name, Variant variant, Double temperature, StudyConfig.StdBaseline baseline, String knob,
    List<String> settings) {

  public static final String MAIN = "main";
  /** f-grams per table (SCONE's first knob). */
  public static final String FGRAMS = "fgrams";
  /** f-gram model depth (its second knob). */
  public static final String LAYERS = "layers";
  /** The plain variant with a larger main model (the paper's fixed-inference-FLOPs comparison). */
  public static final String LARGER = "larger";
  /** A main arm at another learning rate (the robustness sweep). */
  public static final String LR = "lr";
  /** The f-gram model's final LayerNorm switched (an ablation). */
  public static final String FINAL_NORM = "final_norm";

  public StudyArm {
    settings = List.copyOf(settings);
  }

  /**
   * STD at each temperature first (the paper's baselines), then the variants in config order, then
   * SCONE's knob arms and larger model around the first {@code +SCONE} variant (a setting equal to
   * the configured one is that variant's own arm, not trained twice).
   */
  public static List<StudyArm> of(StudyConfig study, SconeConfig configured) {
    List<StudyArm> arms = new ArrayList<>();
    for (StudyConfig.StdBaseline b : study.stdBaselines()) {
      for (double t : study.stdTemperatures()) {
        arms.add(new StudyArm("std-" + b.label() + "-t" + trimmed(t), Variant.of(Sharing.STD), t, b, MAIN, List.of()));
      }
    }
    for (Variant v : study.variants()) {
      arms.add(arm(v.directory(), v, MAIN, List.of()));
    }
    arms.addAll(lrArms(study.lrSweep(), arms));
    StudyConfig.SconeArms scone = study.scone();
    if (scone.none()) {
      return arms;
    }
    Variant withScone = study.variants().stream().filter(Variant::scone).findFirst().orElseThrow();
    for (int k : scone.fgrams()) {
      if (k != configured.fgrams()) {
        arms.add(arm(withScone.directory() + "-f" + k, withScone, FGRAMS, List.of("train.scone.fgrams=" + k)));
      }
    }
    for (int l : scone.layers()) {
      if (l != configured.layers()) {
        arms.add(arm(withScone.directory() + "-l" + l, withScone, LAYERS, List.of("train.scone.layers=" + l)));
      }
    }
    if (scone.finalNormAblation()) {
      boolean norm = !configured.finalNorm();
      arms.add(arm(withScone.directory() + (norm ? "-lnf" : "-nolnf"), withScone, FINAL_NORM,
          List.of("train.scone.final_norm=" + norm)));
    }
    Variant plain = withScone.withoutScone();
    for (java.util.Map<String, Integer> larger : scone.largerModels()) { // keys in order: a stable label
      List<String> model = new ArrayList<>();
      StringBuilder label = new StringBuilder(plain.directory());
      new java.util.TreeMap<>(larger).forEach((key, value) -> {
        model.add("model." + key + "=" + value);
        label.append('-').append(key.replace("_model", "").replace("_ratio", "")).append(value);
      });
      arms.add(arm(label.toString(), plain, LARGER, model));
    }
    return arms;
  }

  /** Each swept main arm at each learning rate, after all the main arms; an arm the sweep names that is not one is refused. */
  private static List<StudyArm> lrArms(StudyConfig.LrSweep sweep, List<StudyArm> main) {
    List<StudyArm> out = new ArrayList<>();
    for (String name : sweep.arms()) {
      StudyArm base = main.stream().filter(a -> a.name().equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException(
          "study.lr_sweep.arms: " + name + " is not a main arm (" + main.stream().map(StudyArm::name).toList() + ")"));
      for (double lr : sweep.lrs()) {
        out.add(new StudyArm(name + "-lr" + java.math.BigDecimal.valueOf(lr).stripTrailingZeros().toPlainString(), base.variant(), base.temperature(), base.baseline(), LR,
            List.of("train.optim.lr=" + lr, "train.optim.min_lr=" + lr / 10)));
      }
    }
    return out;
  }

  /** The learning rate an {@link #LR} arm trains at (NaN for the others). */
  public double learningRate() {
    return settings.stream().filter(s -> s.startsWith("train.optim.lr=")).mapToDouble(s -> Double.parseDouble(s.substring(15)))
        .findFirst().orElse(Double.NaN);
  }

  /** The main arm an {@link #LR} arm sweeps ({@code spec} for {@code spec-lr0.01}); its own name otherwise. */
  public String sweptArm() {
    return knob.equals(LR) ? name.substring(0, name.lastIndexOf("-lr")) : name;
  }

  private static StudyArm arm(String name, Variant variant, String knob, List<String> settings) {
    return new StudyArm(name, variant, null, null, knob, settings);
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
   * output root on the shared data, the seed, the one variant, and for an STD arm what matches its
   * tokens per round to the K per-source tasks of the decoupled variants: a K x B batch for H
   * steps ({@code steps}), H x K steps at batch B ({@code tokens}), or K replicas of H steps at
   * batch B ({@code iid}).
   *
   * @param sourcesPerRound K: the sources a decoupled round trains
   * @param batchSize B: the decoupled tasks' batch
   */
  public List<String> overrides(long seed, String output, String data, String runName, int localSteps, int sourcesPerRound,
      int batchSize, List<String> extendMethods) {
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
    if (baseline != null) {
      switch (baseline) {
        case STEPS -> o.add("train.optim.batch_size=" + (long) batchSize * sourcesPerRound);
        case TOKENS -> o.add("train.local_steps=" + (long) localSteps * sourcesPerRound);
        case IID -> o.add("train.replicas=" + sourcesPerRound);
      }
    }
    o.add("extend.methods=[" + String.join(", ", extendMethods) + "]");
    o.addAll(settings);
    return o;
  }

  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
