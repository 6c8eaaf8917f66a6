package dept.train.model;

import java.util.Set;

/**
 * The extension parameters a model is built with, by name, and the kind of its adapters' gates.
 * Each name must belong to a wrapper of the model's body: {@code ext.<linear>.lora_a|lora_b}
 * ({@link LoraLinear}) or {@code ext.<block>.adapter.wi|wg|wo[|gate.w|gate.b]} ({@link Adapter},
 * {@link GatedAdapter}); building the model refuses any other.
 */
public record Extensions(Set<String> names, GatedAdapter.Gate gate) {

  /** Extension parameters are named {@code ext.<the name of what they extend>}. */
  public static final String EXT = "ext.";

  public static final Extensions NONE = new Extensions(Set.of(), GatedAdapter.Gate.RELU);

  public Extensions {
    names = Set.copyOf(names);
  }
}
