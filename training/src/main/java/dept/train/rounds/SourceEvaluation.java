package dept.train.rounds;

import dept.train.random.Seeds;
import dept.train.local.Evaluator;
import dept.train.model.DecoderLm;
import dept.train.params.NamedTensors;
import dept.train.rtd.RtdEvaluator;
import dept.train.rtd.RtdModel;
import dept.train.scone.SconeModels;
import java.io.Serializable;
import java.util.List;

/**
 * Validation of one source inside a Spark task: the body with the embeddings its sharing policy
 * scores it with (SPEC: its own after {@code round}, from the store; otherwise the global ones).
 */
record SourceEvaluation(SourceSide side, int round, int[] tokenBytes) implements Serializable {

  /** @param fgrams the f-grams of the source's tokenizer a {@code +SCONE} variant uses (null without SCONE) */
  RunLog.ValidationRow run(List<int[]> blocks, byte[] body, byte[] globalEmbeddings, List<int[]> fgrams) {
    TrainConfig train = side.train();
    Variant variant = side.variant();
    NamedTensors embeddings = variant.policy().scoringEmbeddings(side, round,
        globalEmbeddings == null ? null : NamedTensors.fromBytes(globalEmbeddings));
    DecoderLm lm = SconeModels.withFgrams(side.lm(), train.sconeFor(variant), fgrams);
    List<int[]> sample = train.evalBlocks() > 0 && blocks.size() > train.evalBlocks() ? blocks.subList(0, train.evalBlocks()) : blocks;
    String name = variant.name();
    if (variant.rtd()) {
      // Replaced-token detection is not a language model: the row holds its loss (perplexity and bits per byte are NaN);
      // accuracy, AUC and early exit are `dept early-exit`'s.
      RtdModel rtd = InputSide.rtdModel(lm, train);
      RtdEvaluator.Row r = new RtdEvaluator(rtd, 16).evaluate(NamedTensors.fromBytes(body), embeddings, sample,
          RtdModel.unigramCdf(sample, lm.vocabSize()), List.of(1.0), Seeds.derive(train.seed(), "validation", round)).get(0);
      return new RunLog.ValidationRow(name, round, side.source(), r.loss(), Double.NaN, Double.NaN, r.positions(), 0);
    }
    Evaluator.Metrics m = new Evaluator(lm, 16).evaluate(NamedTensors.fromBytes(body), embeddings, sample, tokenBytes);
    return new RunLog.ValidationRow(name, round, side.source(), m.meanLoss(), m.perplexity(), m.bitsPerByte(), m.tokens(), m.bytes());
  }
}
