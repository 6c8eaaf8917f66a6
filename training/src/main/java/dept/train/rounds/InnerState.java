package dept.train.rounds;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What happens to a source's inner AdamW moments between rounds. */
public enum InnerState {
  /** Fresh moments every round: the DEPT paper's framework (and our default for GLOB, TRIM, SPEC). */
  @JsonProperty("reset") RESET,
  /** Each source (replica) keeps its own moments across rounds, in the checkpoint store. */
  @JsonProperty("keep") KEEP,
  /** The moments of shared tensors are averaged on the driver like the tensors; local ones are kept. */
  @JsonProperty("average") AVERAGE
}
