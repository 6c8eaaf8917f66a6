package dept.train.rounds;

/** GLOB: the global vocabulary; each source trains a full copy of the embeddings, averaged like the body. */
record GlobalSharing() implements SharingPolicy {

  @Override
  public boolean aggregated(String name) {
    return true;
  }
}
