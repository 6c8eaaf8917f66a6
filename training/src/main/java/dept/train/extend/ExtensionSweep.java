package dept.train.extend;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.io.Serializable;
import java.util.List;

/**
 * {@code extend.sweep}: the trials run next to each method's main one, for the learn-vs-forget
 * frontier and the ablations (README, "Extension to a new source"). Empty lists add nothing.
 *
 * @param methods the methods swept (default: every one of extend.methods)
 * @param lrs every method at each learning rate (the frontier: one curve per method)
 * @param alphas neutral residues at each sparsity weight, at extend.lr (0 is the penalty removed)
 * @param originalFractions every method at each share of original-domain batches, at extend.lr
 *     (0: no rehearsal; 1: rehearsal only, the new source never trains: what more training on the
 *     original data alone does to the base)
 */
public record ExtensionSweep(List<String> methods, List<Double> lrs, List<Double> alphas, List<Double> originalFractions)
    implements Serializable {

  public static final ExtensionSweep NONE = new ExtensionSweep(null, null, null, null);

  public ExtensionSweep {
    methods = methods == null ? null : methods.stream().map(m -> ExtensionMethod.of(m).label()).toList();
    lrs = lrs == null ? List.of() : List.copyOf(lrs);
    alphas = alphas == null ? List.of() : List.copyOf(alphas);
    originalFractions = originalFractions == null ? List.of() : List.copyOf(originalFractions);
    if (lrs.stream().anyMatch(v -> !(v > 0)) || alphas.stream().anyMatch(v -> !(v >= 0))
        || originalFractions.stream().anyMatch(v -> !(v >= 0 && v <= 1))) {
      throw new IllegalArgumentException("extend.sweep: lrs > 0, alphas >= 0 and original_fractions in [0, 1] are required, got lrs "
          + lrs + ", alphas " + alphas + ", original_fractions " + originalFractions);
    }
  }

  /** The methods swept among {@code configured} (extend.methods), in their order. */
  public List<ExtensionMethod> methodsAmong(List<String> configured) {
    return configured.stream().filter(m -> methods == null || methods.contains(m)).map(ExtensionMethod::of).toList();
  }

  @JsonIgnore // not a config key: the effective config is written back as YAML
  public boolean isEmpty() {
    return lrs.isEmpty() && alphas.isEmpty() && originalFractions.isEmpty();
  }
}
