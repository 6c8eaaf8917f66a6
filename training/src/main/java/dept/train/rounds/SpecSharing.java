package dept.train.rounds;

import dept.train.model.DecoderLm;
import dept.train.params.NamedTensors;
import java.util.List;

/**
 * SPEC: a tokenizer and input side per source that never leave it; only the body is shared. A
 * source's embeddings live in its state in the store between rounds.
 */
record SpecSharing() implements SharingPolicy {

  @Override
  public boolean aggregated(String name) {
    return name.startsWith(DecoderLm.BODY);
  }

  @Override
  public TaskInputs receive(SourceSide side, SourceState previous, NamedTensors global, TaskCorpus corpus,
      List<int[]> fgrams) {
    NamedTensors own = previous.embeddings() != null ? previous.embeddings() : side.initialInputs();
    return new TaskInputs(side.lm(), own, fgrams, null, 0, 0);
  }

  @Override
  public NamedTensors kept(NamedTensors trainedEmbeddings) {
    return trainedEmbeddings;
  }

  @Override
  public NamedTensors scoringEmbeddings(SourceSide side, int round, NamedTensors global) {
    return side.ownEmbeddings(round);
  }
}
