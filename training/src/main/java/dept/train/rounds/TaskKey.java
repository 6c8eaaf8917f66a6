package dept.train.rounds;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One training task of a round: a source (or {@code mixture} for STD/ACT) and a replica, which
 * trains on the blocks whose id is congruent to it modulo the replica count (disjoint shards).
 */
record TaskKey(String source, int replica) implements Serializable, Comparable<TaskKey> {

  static final String MIXTURE = "mixture";

  /** Every task of a run, in order: each source's (or the mixture's) replicas. */
  static List<TaskKey> all(List<String> sources, boolean mixture, int replicas) {
    List<TaskKey> keys = new ArrayList<>();
    for (String s : mixture ? List.of(MIXTURE) : sources) {
      for (int r = 0; r < replicas; r++) {
        keys.add(new TaskKey(s, r));
      }
    }
    return keys;
  }

  /** Where this task's state lives under the store's {@code state/}. */
  String statePath() {
    return source + "/replica-" + replica;
  }

  @Override
  public int compareTo(TaskKey o) {
    int c = source.compareTo(o.source);
    return c != 0 ? c : Integer.compare(replica, o.replica);
  }

  @Override
  public String toString() {
    return source + "#" + replica;
  }
}
