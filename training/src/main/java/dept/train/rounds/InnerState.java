package dept.train.rounds;

/** What happens to a source's inner AdamW moments between rounds. */
public enum InnerState {
  /** Fresh moments every round: the DEPT paper's framework (and our default for GLOB, TRIM, SPEC). */
  RESET,
  /** Each source (replica) keeps its own moments across rounds, in the checkpoint store. */
  KEEP,
  /** The moments of shared tensors are averaged on the driver like the tensors; local ones are kept. */
  AVERAGE;

  static InnerState of(String name) {
    try {
      return valueOf(name.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("train.inner_state must be reset, keep or average, got '" + name + "'");
    }
  }
}
