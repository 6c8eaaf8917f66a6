package dept.train.rounds;

/** What a DEPT variant shares between sources: the part of a variant's name before its suffixes. */
public enum Sharing {
  /** One model on the temperature-sampled mixture of every source; everything shared. */
  STD,
  /** STD with active forgetting (Chen et al. 2023): token embeddings re-initialised every N steps. */
  ACT,
  /** Global vocabulary; each source trains a full copy of the embeddings, averaged like the body. */
  GLOB,
  /** Global vocabulary; a source holds only the token rows its data uses, merged by global id. */
  TRIM,
  /** A tokenizer and embeddings per source that never leave it: only the body is shared. */
  SPEC;

  /** The behaviour of this sharing scheme in a round. */
  public SharingPolicy policy() {
    return switch (this) {
      case STD -> new MixtureSharing(false);
      case ACT -> new MixtureSharing(true);
      case GLOB -> new GlobalSharing();
      case TRIM -> new TrimSharing();
      case SPEC -> new SpecSharing();
    };
  }

  /** Whether the variant trains one model on the mixture of all sources instead of one task per source. */
  public boolean mixture() {
    return this == STD || this == ACT;
  }

  /**
   * Whether the scheme shares one input side (held by the driver, over the global tokenizer):
   * every scheme but SPEC, whose tables stay at their sources.
   */
  public boolean sharedEmbeddings() {
    return this != SPEC;
  }
}
