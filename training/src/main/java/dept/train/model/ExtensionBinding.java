package dept.train.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Wraps one stack's linears and MLPs in the extensions whose parameters it has, and refuses names no wrapper took. */
final class ExtensionBinding {

  private final Extensions extensions;
  private final Set<String> bound = new TreeSet<>();

  ExtensionBinding(Extensions extensions) {
    this.extensions = extensions;
  }

  /** {@code name} as a plain linear, or wrapped in LoRA when its LoRA parameters are present. */
  Projection linear(String name) {
    Linear base = new Linear(name);
    LoraLinear lora = new LoraLinear(base);
    return claim(lora.names()) ? lora : base;
  }

  /** {@code mlp} of block {@code block}, with its (gated) adapter beside it when that adapter's parameters are present. */
  FeedForward mlp(String block, Mlp mlp) {
    Adapter adapter = new Adapter(block);
    if (!claim(adapter.names())) {
      return mlp;
    }
    GatedAdapter gated = new GatedAdapter(adapter, extensions.gate());
    return new AdaptedMlp(mlp, claim(gated.gateNames()) ? gated : adapter);
  }

  /** Fails on the first extension parameter that no wrapper of this stack took. */
  void requireAllBound() {
    for (String name : new TreeSet<>(extensions.names())) {
      if (!bound.contains(name)) {
        throw new IllegalArgumentException("unknown extension parameter " + name
            + ": no LoRA linear or adapter of this model owns it (ext.<linear>.lora_a|lora_b, ext.<block>.adapter.wi|wg|wo|gate.w|gate.b)");
      }
    }
  }

  /** Whether a wrapper's parameters are present; all or none of them must be. */
  private boolean claim(List<String> owned) {
    List<String> missing = new ArrayList<>(owned);
    missing.removeAll(extensions.names());
    if (missing.size() == owned.size()) {
      return false;
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("extension parameters " + owned + " come together; missing " + missing);
    }
    bound.addAll(owned);
    return true;
  }
}
