package dept.train.rounds;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dept.train.rtd.RtdConfig;
import dept.train.scone.SconeConfig;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Locale;

/**
 * A DEPT variant as written in {@code train.variants}: a sharing scheme, optionally with SCONE's
 * f-gram inputs ({@code +SCONE}) and/or ELECTRA's replaced-token detection ({@code +RTD}), the
 * suffixes in any order. Parsed once at config load; a combination that cannot train is refused
 * there, never inside a Spark task.
 *
 * @param sharing what the sources share
 * @param scone whether inputs are SCONE's f-gram embeddings
 * @param rtd whether the objective is replaced-token detection instead of next-token prediction
 */
public record Variant(Sharing sharing, boolean scone, boolean rtd) implements Serializable {

  public Variant {
    if (sharing == null) {
      throw new IllegalArgumentException("a variant needs a sharing scheme");
    }
    if (scone && rtd) {
      throw new IllegalArgumentException(name(sharing, true, true) + ": +SCONE and +RTD do not combine (ELECTRA's "
          + "generator and discriminator read token embeddings, not SCONE's f-gram inputs)");
    }
  }

  public static Variant of(Sharing sharing) {
    return new Variant(sharing, false, false);
  }

  /** {@code "spec+scone"}, {@code "GLOB+RTD"}, ...: case-insensitive, suffixes in any order, each at most once. */
  @JsonCreator
  public static Variant parse(String text) {
    String[] parts = text.trim().toUpperCase(Locale.ROOT).split("\\+", -1);
    Sharing sharing;
    try {
      sharing = Sharing.valueOf(parts[0]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("variant '" + text + "': must be one of " + Arrays.toString(Sharing.values())
          + ", optionally with " + SconeConfig.SUFFIX + " and/or " + RtdConfig.SUFFIX);
    }
    boolean scone = false;
    boolean rtd = false;
    for (int i = 1; i < parts.length; i++) {
      String suffix = "+" + parts[i];
      boolean repeated = suffix.equals(SconeConfig.SUFFIX) ? scone : suffix.equals(RtdConfig.SUFFIX) && rtd;
      if (repeated || !(suffix.equals(SconeConfig.SUFFIX) || suffix.equals(RtdConfig.SUFFIX))) {
        throw new IllegalArgumentException("variant '" + text + "': " + (repeated ? "repeats " : "unknown suffix ") + suffix
            + " (suffixes: " + SconeConfig.SUFFIX + ", " + RtdConfig.SUFFIX + ")");
      }
      scone |= suffix.equals(SconeConfig.SUFFIX);
      rtd |= suffix.equals(RtdConfig.SUFFIX);
    }
    return new Variant(sharing, scone, rtd);
  }

  /** The canonical name: sharing, then {@code +SCONE}, then {@code +RTD}. */
  @JsonValue
  public String name() {
    return name(sharing, scone, rtd);
  }

  private static String name(Sharing sharing, boolean scone, boolean rtd) {
    return sharing.name() + (scone ? SconeConfig.SUFFIX : "") + (rtd ? RtdConfig.SUFFIX : "");
  }

  /** This variant with replaced-token detection ({@code train.objective: rtd}). */
  public Variant withRtd() {
    return new Variant(sharing, scone, true);
  }

  /** The same sharing without SCONE inputs (SCONE's baseline). */
  public Variant withoutScone() {
    return new Variant(sharing, false, rtd);
  }

  /** The variant's directory name: '+' is not safe in URLs, so {@code SPEC+SCONE} lives in {@code spec-scone}. */
  public String directory() {
    return name().toLowerCase(Locale.ROOT).replace('+', '-');
  }

  public SharingPolicy policy() {
    return sharing.policy();
  }

  public boolean mixture() {
    return sharing.mixture();
  }

  public boolean globalVocabulary() {
    return sharing.globalVocabulary();
  }

  @Override
  public String toString() {
    return name();
  }
}
