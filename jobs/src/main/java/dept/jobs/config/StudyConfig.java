package dept.jobs.config;

import dept.train.rounds.Sharing;
import dept.train.rounds.Variant;
import java.util.stream.Stream;
import java.util.List;

/**
 * {@code dept study}: the arms of a small-scale reproduction, each trained once per seed on the
 * same prepared corpus with the same body and token budget.
 *
 * @param seeds one full set of arms per seed (mean and spread are reported over them)
 * @param stdTemperatures the STD baselines' mixture temperatures (the DEPT paper's 0, 0.3, 1)
 * @param variants the DEPT variants next to them (GLOB, TRIM, SPEC, SPEC+SCONE)
 * @param extendMethods `dept extend` methods run on each seed's {@code extend.base_variant}
 *     towards {@code extend.new_source} (empty: no extension)
 */
public record StudyConfig(List<Long> seeds, List<Double> stdTemperatures, List<Variant> variants, List<String> extendMethods) {

  public StudyConfig {
    seeds = seeds == null ? List.of(1L, 2L, 3L) : List.copyOf(seeds);
    stdTemperatures = stdTemperatures == null ? List.of(0.0, 0.3, 1.0) : List.copyOf(stdTemperatures);
    variants = variants == null ? Stream.of("GLOB", "TRIM", "SPEC", "SPEC+SCONE").map(Variant::parse).toList() : List.copyOf(variants);
    extendMethods = extendMethods == null ? List.of("neutral", "finetune") : List.copyOf(extendMethods);
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
    if (stdTemperatures.isEmpty() && variants.isEmpty()) {
      throw new IllegalArgumentException("study: no arms (study.std_temperatures and study.variants are both empty)");
    }
  }

  public static StudyConfig defaults() {
    return new StudyConfig(null, null, null, null);
  }
}
