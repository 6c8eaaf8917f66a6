package dept.train.rounds;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dept.train.rtd.RtdConfig;
import dept.train.scone.SconeConfig;
import java.io.Serializable;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;

/**
 * A DEPT variant as written in {@code train.variants}: a sharing scheme, optionally with SCONE's
 * f-gram inputs ({@code +SCONE}), ELECTRA's replaced-token detection ({@code +RTD}) or, for SPEC,
 * the global tokenizer instead of each source's own ({@code +GLOBALVOCAB}), the suffixes in any
 * order. Parsed once at config load; a combination that cannot train is refused there, never
 * inside a Spark task.
 *
 * @param sharing what the sources share
 * @param scone whether inputs are SCONE's f-gram embeddings
 * @param rtd whether the objective is replaced-token detection instead of next-token prediction
 * @param globalVocab SPEC's private embeddings over the global tokenizer: decoupling without a
 *     vocabulary of its own (the other sharing schemes always read the global tokenizer)
 */
public record Variant(Sharing sharing, boolean scone, boolean rtd, boolean globalVocab) implements Serializable {

  /** The suffix that gives SPEC's sources the global tokenizer. */
  public static final String GLOBAL_VOCAB = "+GLOBALVOCAB";

  private static final List<String> SUFFIXES = List.of(SconeConfig.SUFFIX, RtdConfig.SUFFIX, GLOBAL_VOCAB);

  public Variant {
    if (sharing == null) {
      throw new IllegalArgumentException("a variant needs a sharing scheme");
    }
    if (scone && rtd) {
      throw new IllegalArgumentException(name(sharing, true, true, globalVocab) + ": +SCONE and +RTD do not combine (ELECTRA's "
          + "generator and discriminator read token embeddings, not SCONE's f-gram inputs)");
    }
    if (globalVocab && sharing != Sharing.SPEC) {
      throw new IllegalArgumentException(name(sharing, scone, rtd, true) + ": " + GLOBAL_VOCAB + " is SPEC's option ("
          + sharing + " already reads the global tokenizer)");
    }
    if (globalVocab && (scone || rtd)) {
      // The later stages of those objectives (f-gram tables, early exit) key a model's tables by
      // tokenizer; a per-source table over the global tokenizer is only taught to training and scoring.
      throw new IllegalArgumentException(name(sharing, scone, rtd, true) + ": " + GLOBAL_VOCAB + " does not combine with "
          + SconeConfig.SUFFIX + " or " + RtdConfig.SUFFIX + " (not built)");
    }
  }

  public Variant(Sharing sharing, boolean scone, boolean rtd) {
    this(sharing, scone, rtd, false);
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
          + ", optionally with " + String.join(", ", SUFFIXES));
    }
    java.util.Set<String> suffixes = new HashSet<>();
    for (int i = 1; i < parts.length; i++) {
      String suffix = "+" + parts[i];
      if (!SUFFIXES.contains(suffix) || !suffixes.add(suffix)) {
        throw new IllegalArgumentException("variant '" + text + "': " + (SUFFIXES.contains(suffix) ? "repeats " : "unknown suffix ")
            + suffix + " (suffixes: " + String.join(", ", SUFFIXES) + ")");
      }
    }
    return new Variant(sharing, suffixes.contains(SconeConfig.SUFFIX), suffixes.contains(RtdConfig.SUFFIX),
        suffixes.contains(GLOBAL_VOCAB));
  }

  /** The canonical name: sharing, then {@code +SCONE}, then {@code +RTD}, then {@code +GLOBALVOCAB}. */
  @JsonValue
  public String name() {
    return name(sharing, scone, rtd, globalVocab);
  }

  private static String name(Sharing sharing, boolean scone, boolean rtd, boolean globalVocab) {
    return sharing.name() + (scone ? SconeConfig.SUFFIX : "") + (rtd ? RtdConfig.SUFFIX : "") + (globalVocab ? GLOBAL_VOCAB : "");
  }

  /** This variant with replaced-token detection ({@code train.objective: rtd}). */
  public Variant withRtd() {
    return new Variant(sharing, scone, true, globalVocab);
  }

  /** The same sharing without SCONE inputs (SCONE's baseline). */
  public Variant withoutScone() {
    return new Variant(sharing, false, rtd, globalVocab);
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

  /** Whether every source encodes with the global tokenizer (else each with its own). */
  public boolean globalVocabulary() {
    return sharing.sharedEmbeddings() || globalVocab; // a shared input side reads the shared tokenizer
  }

  /** Whether the driver holds one input side every task receives (all but SPEC, whose embeddings stay at their sources). */
  public boolean sharedEmbeddings() {
    return sharing.sharedEmbeddings();
  }

  @Override
  public String toString() {
    return name();
  }
}
