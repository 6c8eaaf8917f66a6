package dept.train.extend;

import java.io.Serializable;
import java.util.Locale;

/**
 * One extension run: a method at a learning rate, sparsity weight and data mix. The config's own
 * settings give each method's main trial (labelled by the method's name alone); {@code extend.sweep}
 * adds the others, each one Spark task like a main trial, on the same seeded batch stream.
 *
 * @param main whether this is the method's trial at the config's own lr, alpha and original_fraction
 */
public record ExtensionTrial(ExtensionMethod method, double lr, double alpha, double originalFraction, boolean main)
    implements Serializable {

  /** {@code method}'s main trial under {@code config}. */
  public static ExtensionTrial main(ExtensionMethod method, ExtendConfig config) {
    return new ExtensionTrial(method, config.lr(), config.alpha(), config.originalFraction(), true);
  }

  /** The method's name for a main trial, else e.g. {@code neutral_lr0.006_a1_f0.1}: a file name and a scoring unit prefix. */
  public String label() {
    return main ? method.label()
        : method.label() + "_lr" + number(lr) + "_a" + number(alpha) + "_f" + number(originalFraction);
  }

  /** The config this trial trains with: {@code config}'s, at this trial's lr, alpha and data mix. */
  public ExtendConfig configOf(ExtendConfig config) {
    return config.at(lr, alpha, originalFraction);
  }

  private static String number(double v) {
    String s = String.format(Locale.ROOT, "%.6g", v);
    if (s.contains("e")) {
      return s.replaceAll("\\.?0+e", "e");
    }
    return s.contains(".") ? s.replaceAll("\\.?0+$", "") : s;
  }
}
