package dept.train.rounds;

import dept.train.model.DecoderLm;
import dept.train.params.NamedTensors;
import java.util.List;

/**
 * What one task trains with, in its own token ids: the decoder's shapes, its starting input side,
 * and its f-grams (null without SCONE). Its blocks come per round ({@link RoundBlocks}).
 *
 * @param rowIds the global ids of the task's token-table rows when it holds only some (TRIM), else null
 * @param bytesDown serialised size of what the driver sent for the input side
 * @param paramsDown parameters in it
 */
record TaskInputs(DecoderLm lm, NamedTensors embeddings, List<int[]> fgrams, int[] rowIds, long bytesDown, long paramsDown) {

  /** The driver's global input side as it is, with its size counted as sent. */
  static TaskInputs global(SourceSide side, NamedTensors global, List<int[]> fgrams) {
    return new TaskInputs(side.lm(), global, fgrams, null, global.byteSize(), global.parameterCount());
  }

  /** The task's count of each token id in its own ids (TRIM's rows picked out of the global counts). */
  long[] localCounts(long[] tokenCounts) {
    if (rowIds == null) {
      return tokenCounts;
    }
    long[] local = new long[rowIds.length];
    for (int i = 0; i < rowIds.length; i++) {
      local[i] = tokenCounts[rowIds[i]];
    }
    return local;
  }
}
