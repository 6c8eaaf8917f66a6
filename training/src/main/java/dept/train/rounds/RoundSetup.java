package dept.train.rounds;

import dept.prep.io.HadoopConfig;
import dept.prep.tokenizer.VocabConfig;
import dept.train.model.ModelConfig;
import java.util.Map;

/**
 * What every round of one run shares: the variant, its settings and shapes, where its state lives,
 * and each tokenizer's vocabulary size.
 */
record RoundSetup(Variant variant, TrainConfig train, ModelConfig model, int seqLen, String storeRoot, HadoopConfig hadoop,
    Map<String, Integer> vocabSizes) {

  /** The tokenizer a source encodes with under this variant. */
  String tokenizerOf(String source) {
    return variant.globalVocabulary() || source.equals(TaskKey.MIXTURE) ? VocabConfig.GLOBAL : source;
  }

  SourceSide side(String source) {
    return new SourceSide(variant, source, train, model, seqLen, vocabSizes.get(tokenizerOf(source)), storeRoot, hadoop);
  }
}
