package dept.train.rounds;

import dept.train.model.DecoderLm;
import dept.train.params.NamedTensors;
import dept.train.rtd.RtdModel;
import dept.train.scone.SconeModels;

/**
 * The input-side parameters a variant starts a tokenizer with: token and position rows, plus
 * SCONE's f-gram model ({@code +SCONE}) or ELECTRA's generator ({@code +RTD}). They are shared
 * like the variant's embeddings; the body ({@code body.*}) is initialised apart.
 */
final class InputSide {

  private InputSide() {}

  static NamedTensors init(DecoderLm lm, TrainConfig train, Variant variant, long seed) {
    NamedTensors inputs = SconeModels.initInputs(lm, train.sconeFor(variant), seed);
    if (variant.rtd()) {
      inputs = inputs.with(rtdModel(lm, train).initGenerator(seed));
    }
    return inputs;
  }

  /** A fresh body, with the exit heads for +RTD. */
  static NamedTensors body(DecoderLm lm, TrainConfig train, Variant variant, long seed) {
    NamedTensors body = lm.initBody(seed);
    return variant.rtd() ? body.with(rtdModel(lm, train).initHeads(seed)) : body;
  }

  static RtdModel rtdModel(DecoderLm lm, TrainConfig train) {
    return new RtdModel(lm.config(), lm.vocabSize(), lm.seqLen(), train.rtd());
  }
}
