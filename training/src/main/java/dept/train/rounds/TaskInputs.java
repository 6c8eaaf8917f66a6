package dept.train.rounds;

import dept.train.model.DecoderLm;
import dept.train.params.NamedTensors;
import java.util.List;
import java.util.TreeMap;

/**
 * What one task trains with, in its own token ids: the decoder's shapes, its starting input side,
 * its data, and its f-grams (null without SCONE).
 *
 * @param rowIds the global ids of the task's token-table rows when it holds only some (TRIM), else null
 * @param bytesDown serialised size of what the driver sent for the input side
 * @param paramsDown parameters in it
 */
record TaskInputs(DecoderLm lm, NamedTensors embeddings, TreeMap<String, List<int[]>> data, List<int[]> fgrams,
    int[] rowIds, long bytesDown, long paramsDown) {

  /** The driver's global input side as it is, with its size counted as sent. */
  static TaskInputs global(SourceSide side, NamedTensors global, TreeMap<String, List<int[]>> blocks, List<int[]> fgrams) {
    return new TaskInputs(side.lm(), global, blocks, fgrams, null, global.byteSize(), global.parameterCount());
  }
}
