package dept.jobs.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dept.train.rounds.Sharing;
import dept.train.rounds.Variant;
import java.util.stream.Stream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code dept study}: the arms of a small-scale reproduction, each trained once per seed on the
 * same prepared corpus with the same body and token budget.
 *
 * @param seeds one full set of arms per seed (mean and spread are reported over them)
 * @param stdTemperatures the STD baselines' mixture temperatures (the DEPT paper's 0, 0.3, 1)
 * @param stdBaselines which STD baselines each temperature gets (see {@link StdBaseline}); default
 *     {@code [steps, tokens]}
 * @param variants the DEPT variants next to them (GLOB, TRIM, SPEC, SPEC+SCONE)
 * @param extendMethods `dept extend` methods run on each seed's {@code extend.base_variant}
 *     towards {@code extend.new_source} (empty: no extension)
 * @param scone SCONE's knobs and its larger-model comparison, as more arms (none by default)
 * @param lrSweep more arms: some main arms again at other learning rates (none by default)
 */
public record StudyConfig(List<Long> seeds, List<Double> stdTemperatures, List<StdBaseline> stdBaselines, List<Variant> variants,
    List<String> extendMethods, SconeArms scone, LrSweep lrSweep) {

  /**
   * The learning-rate robustness arms: each of {@code arms} (main arm names, e.g. {@code spec},
   * {@code std-dp-t0.3}) once more at each of {@code lrs}, its {@code min_lr} a tenth of it.
   */
  public record LrSweep(List<Double> lrs, List<String> arms) {
    public LrSweep {
      lrs = lrs == null ? List.of() : List.copyOf(lrs);
      arms = arms == null ? List.of() : List.copyOf(arms);
      if (lrs.stream().anyMatch(lr -> lr == null || !(lr > 0))) {
        throw new IllegalArgumentException("study.lr_sweep.lrs must be > 0, got " + lrs);
      }
      if (lrs.isEmpty() != arms.isEmpty()) {
        throw new IllegalArgumentException("study.lr_sweep needs both lrs and arms, got lrs " + lrs + " and arms " + arms);
      }
    }

    public boolean none() {
      return lrs.isEmpty();
    }
  }

  /**
   * How an STD baseline is matched to the DEPT arms' R rounds of K sources x H steps x batch B.
   * All three see the same tokens.
   */
  public enum StdBaseline {
    /**
     * The DEPT paper's: data-parallel training, K workers' batches in one step (global batch
     * K x B) for R x H steps: the DEPT arms' tokens and sequential steps.
     */
    @JsonProperty("steps") STEPS("dp"),
    /** One worker at batch B for R x H x K steps: the same tokens in K times more sequential updates. */
    @JsonProperty("tokens") TOKENS("seq"),
    /**
     * The IID control: FedAvg over K replicas of the shuffled mixture (disjoint shards), H steps
     * each per round with the DEPT arms' inner state: the price of federated averaging without
     * heterogeneity.
     */
    @JsonProperty("iid") IID("iid");

    private final String label;

    StdBaseline(String label) {
      this.label = label;
    }

    /** The arm name's part: {@code std-<label>-t<temperature>}. */
    public String label() {
      return label;
    }
  }

  /**
   * More arms around the first {@code +SCONE} variant of {@code study.variants} (V+SCONE), each
   * trained per seed like every arm, scored through its precomputed lookup tables.
   *
   * @param fgrams f-grams per table, one arm each (the SCONE paper's first knob); the curve's ends
   *     are the arms already there: V (no f-gram) and V+SCONE at {@code train.scone.fgrams}
   * @param layers f-gram model depths, one arm each (the second knob; V+SCONE is the configured depth)
   * @param largerModels each the {@code model.*} keys of a plain V with about twice the main model's
   *     inference FLOPs (e.g. {@code d_model: 96} wider, {@code layers: 5} deeper): the paper's
   *     comparison at fixed inference FLOPs; empty: none
   * @param finalNormAblation one more arm with the f-gram model's final LayerNorm switched from
   *     {@code train.scone.final_norm}
   */
  public record SconeArms(List<Integer> fgrams, List<Integer> layers, List<Map<String, Integer>> largerModels, Boolean finalNormAblation) {

    private static final Set<String> MODEL_KEYS = Set.of("d_model", "layers", "heads", "mlp_ratio");

    public SconeArms {
      fgrams = fgrams == null ? List.of() : List.copyOf(fgrams);
      layers = layers == null ? List.of() : List.copyOf(layers);
      largerModels = largerModels == null ? List.of() : largerModels.stream().map(m -> Map.copyOf(new TreeMap<>(m))).toList();
      finalNormAblation = finalNormAblation != null && finalNormAblation;
      if (fgrams.stream().anyMatch(k -> k == null || k < 1) || layers.stream().anyMatch(l -> l == null || l < 1)) {
        throw new IllegalArgumentException("study.scone: fgrams and layers must be >= 1 (0 f-grams is the variant without SCONE, "
            + "already an arm), got " + fgrams + ", " + layers);
      }
      for (Map<String, Integer> model : largerModels) {
        if (model.isEmpty()) {
          throw new IllegalArgumentException("study.scone.larger_models: an empty model (give d_model, layers, heads or mlp_ratio)");
        }
        for (Map.Entry<String, Integer> e : model.entrySet()) {
          if (!MODEL_KEYS.contains(e.getKey()) || e.getValue() == null || e.getValue() < 1) {
            throw new IllegalArgumentException("study.scone.larger_models: " + e.getKey() + ": " + e.getValue()
                + " (expected model keys " + new TreeSet<>(MODEL_KEYS) + " with values >= 1)");
          }
        }
      }
    }

    public boolean none() {
      return fgrams.isEmpty() && layers.isEmpty() && largerModels.isEmpty() && !finalNormAblation;
    }
  }

  public StudyConfig {
    seeds = seeds == null ? List.of(1L, 2L, 3L) : List.copyOf(seeds);
    stdTemperatures = stdTemperatures == null ? List.of(0.0, 0.3, 1.0) : List.copyOf(stdTemperatures);
    stdBaselines = stdBaselines == null ? List.of(StdBaseline.STEPS, StdBaseline.TOKENS) : List.copyOf(stdBaselines);
    variants = variants == null ? Stream.of("GLOB", "TRIM", "SPEC", "SPEC+SCONE").map(Variant::parse).toList() : List.copyOf(variants);
    extendMethods = extendMethods == null ? List.of("neutral", "finetune") : List.copyOf(extendMethods);
    scone = scone == null ? new SconeArms(null, null, null, null) : scone;
    lrSweep = lrSweep == null ? new LrSweep(null, null) : lrSweep;
    if (seeds.isEmpty() || seeds.size() != seeds.stream().distinct().count()) {
      throw new IllegalArgumentException("study.seeds must be distinct and non-empty, got " + seeds);
    }
    for (double t : stdTemperatures) {
      if (t < 0 || t > 1) {
        throw new IllegalArgumentException("study.std_temperatures must be in [0, 1], got " + t);
      }
    }
    for (Variant v : variants) {
      if (v.sharing() == Sharing.STD) {
        throw new IllegalArgumentException("study.variants: " + v + " is an STD baseline; list its temperatures in study.std_temperatures");
      }
    }
    if (!stdTemperatures.isEmpty() && stdBaselines.isEmpty()) {
      throw new IllegalArgumentException("study.std_baselines is empty while study.std_temperatures is not: give steps, tokens and/or iid");
    }
    if (stdTemperatures.isEmpty() && variants.isEmpty()) {
      throw new IllegalArgumentException("study: no arms (study.std_temperatures and study.variants are both empty)");
    }
    if (!scone.none()) {
      Variant withScone = variants.stream().filter(Variant::scone).findFirst().orElseThrow(() -> new IllegalArgumentException(
          "study.scone needs a +SCONE variant in study.variants (e.g. SPEC+SCONE)"));
      if (!variants.contains(withScone.withoutScone())) {
        throw new IllegalArgumentException("study.scone: " + withScone + "'s curves and comparison start from "
            + withScone.withoutScone() + ": add it to study.variants");
      }
    }
  }

  public static StudyConfig defaults() {
    return new StudyConfig(null, null, null, null, null, null, null);
  }
}
