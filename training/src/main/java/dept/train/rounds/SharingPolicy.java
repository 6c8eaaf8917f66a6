package dept.train.rounds;

import dept.train.model.DecoderLm;

/**
 * What a DEPT variant shares between sources. It only decides, by parameter name, which tensors
 * the driver aggregates and whether sources use the global tokenizer; the round engine does the
 * rest. TRIM's token table is aggregated row-wise ({@link TrimRows}), not as a whole.
 */
public sealed interface SharingPolicy {

  /** Whether the driver aggregates tensor {@code name} as a whole across sources. */
  boolean aggregated(String name);

  /** Whether every source encodes with the global tokenizer (else each with its own). */
  boolean globalVocabulary();

  String name();

  /** Whether the variant trains one model on the mixture of all sources (STD, ACT) instead of one task per source. */
  default boolean mixture() {
    return false;
  }

  /** Whether the objective is ELECTRA's replaced-token detection ({@code <variant>+RTD}) instead of next-token prediction. */
  default boolean rtd() {
    return false;
  }

  /**
   * A variant trained with replaced-token detection. The exit heads ({@code body.exit*}) are
   * shared with the body; the generator ({@code gen.*}) like the variant's embeddings: local to
   * each source for SPEC, averaged for the others.
   */
  record Rtd(SharingPolicy base) implements SharingPolicy {
    public boolean aggregated(String name) {
      return base.aggregated(name);
    }

    public boolean globalVocabulary() {
      return base.globalVocabulary();
    }

    public String name() {
      return base.name() + dept.train.rtd.RtdConfig.SUFFIX;
    }

    public boolean mixture() {
      return base.mixture();
    }

    public boolean rtd() {
      return true;
    }
  }

  /** Whether inputs are SCONE's f-gram embeddings ({@code <variant>+SCONE}). */
  default boolean scone() {
    return false;
  }

  /** The sharing scheme underneath: the variant itself, or what {@code +SCONE} wraps. */
  default SharingPolicy base() {
    return this;
  }

  /**
   * A variant with SCONE inputs. The f-gram model ({@code scone.*}) is shared exactly like the
   * embeddings of the variant underneath: averaged for STD/ACT/GLOB/TRIM (with the global f-gram
   * set), local to each source and never sent for SPEC (with the source's own set).
   */
  record Scone(SharingPolicy base) implements SharingPolicy {
    public boolean aggregated(String name) {
      return base.aggregated(name);
    }

    public boolean globalVocabulary() {
      return base.globalVocabulary();
    }

    public String name() {
      return base.name() + dept.train.scone.SconeConfig.SUFFIX;
    }

    public boolean mixture() {
      return base.mixture();
    }

    public boolean scone() {
      return true;
    }
  }

  /** The non-decoupled baseline: one model on the temperature-sampled mixture, everything shared. */
  record Std() implements SharingPolicy {
    public boolean aggregated(String name) {
      return true;
    }

    public boolean globalVocabulary() {
      return true;
    }

    public String name() {
      return "STD";
    }

    public boolean mixture() {
      return true;
    }
  }

  /** STD with active forgetting (Chen et al. 2023): the token embeddings are re-initialised every N steps. */
  record Act() implements SharingPolicy {
    public boolean aggregated(String name) {
      return true;
    }

    public boolean globalVocabulary() {
      return true;
    }

    public String name() {
      return "ACT";
    }

    public boolean mixture() {
      return true;
    }
  }

  /** Global vocabulary; each source trains a full copy of the embeddings, averaged like the body. */
  record Glob() implements SharingPolicy {
    public boolean aggregated(String name) {
      return true;
    }

    public boolean globalVocabulary() {
      return true;
    }

    public String name() {
      return "GLOB";
    }
  }

  /** Global vocabulary; a source holds only the token rows it uses; positions are shared. */
  record Trim() implements SharingPolicy {
    public boolean aggregated(String name) {
      return !name.equals(DecoderLm.EMBED + "wte");
    }

    public boolean globalVocabulary() {
      return true;
    }

    public String name() {
      return "TRIM";
    }
  }

  /** A tokenizer and embeddings per source that never leave it: only the body is shared. */
  record Spec() implements SharingPolicy {
    public boolean aggregated(String name) {
      return name.startsWith(DecoderLm.BODY);
    }

    public boolean globalVocabulary() {
      return false;
    }

    public String name() {
      return "SPEC";
    }
  }

  static SharingPolicy of(String variant) {
    String upper = variant.toUpperCase(java.util.Locale.ROOT);
    if (upper.endsWith(dept.train.rtd.RtdConfig.SUFFIX)) {
      SharingPolicy base = of(upper.substring(0, upper.length() - dept.train.rtd.RtdConfig.SUFFIX.length()));
      if (base.scone() || base.rtd()) {
        throw new IllegalArgumentException("variant '" + variant + "': +RTD combines with STD, ACT, GLOB, TRIM or SPEC only");
      }
      return new Rtd(base);
    }
    if (upper.endsWith(dept.train.scone.SconeConfig.SUFFIX)) {
      return new Scone(of(upper.substring(0, upper.length() - dept.train.scone.SconeConfig.SUFFIX.length())));
    }
    return switch (upper) {
      case "STD" -> new Std();
      case "ACT" -> new Act();
      case "GLOB" -> new Glob();
      case "TRIM" -> new Trim();
      case "SPEC" -> new Spec();
      default -> throw new IllegalArgumentException("variant must be STD, ACT, GLOB, TRIM or SPEC, optionally with +SCONE or +RTD, got '" + variant + "'");
    };
  }
}
