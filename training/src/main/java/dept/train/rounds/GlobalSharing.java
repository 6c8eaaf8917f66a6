package dept.train.rounds;

import dept.train.params.NamedTensors;
import java.util.List;
import java.util.TreeMap;

/** GLOB: the global vocabulary; each source trains a full copy of the embeddings, averaged like the body. */
record GlobalSharing() implements SharingPolicy {

  @Override
  public boolean aggregated(String name) {
    return true;
  }

  @Override
  public TaskInputs receive(SourceSide side, SourceState previous, NamedTensors global, TreeMap<String, List<int[]>> blocks,
      List<int[]> fgrams) {
    return TaskInputs.global(side, global, blocks, fgrams);
  }

  @Override
  public NamedTensors scoringEmbeddings(SourceSide side, int round, NamedTensors global) {
    return global;
  }
}
