package dept.train.rounds;

import dept.prep.io.HadoopConfig;
import dept.train.local.Evaluator;
import dept.train.model.DecoderLm;
import dept.train.model.ModelConfig;
import dept.train.params.NamedTensors;
import dept.train.rtd.RtdEvaluator;
import dept.train.scone.SconeModels;
import dept.train.rtd.RtdModel;
import java.io.Serializable;
import java.util.List;

/**
 * Validation of one source inside a Spark task: the body with the embeddings the source uses
 * (SPEC: its own after {@code round}, from the store, its replicas averaged; a source never
 * sampled yet has its seeded initial ones; otherwise the global ones, all rows).
 */
record SourceEvaluation(String variant, String source, int round, TrainConfig train, ModelConfig model, int seqLen,
    int vocabSize, int[] tokenBytes, String storeRoot, HadoopConfig hadoop) implements Serializable {

  /** @param fgrams the f-grams of the source's tokenizer a {@code +SCONE} variant uses (null without SCONE) */
  RunLog.ValidationRow run(List<int[]> blocks, byte[] body, byte[] globalEmbeddings, List<int[]> fgrams) {
    DecoderLm lm = new DecoderLm(model, vocabSize, seqLen);
    NamedTensors embeddings = globalEmbeddings != null ? NamedTensors.fromBytes(globalEmbeddings) : ownEmbeddings(lm);
    lm = SconeModels.withFgrams(lm, train.sconeFor(SharingPolicy.of(variant)), fgrams);
    List<int[]> sample = train.evalBlocks() > 0 && blocks.size() > train.evalBlocks() ? blocks.subList(0, train.evalBlocks()) : blocks;
    if (SharingPolicy.of(variant).rtd()) {
      // Replaced-token detection is not a language model: the row holds its loss (perplexity and bits per byte are NaN);
      // accuracy, AUC and early exit are `dept early-exit`'s.
      RtdModel rtd = InputSide.rtdModel(lm, train);
      RtdEvaluator.Row r = new RtdEvaluator(rtd, 16).evaluate(NamedTensors.fromBytes(body), embeddings, sample,
          RtdModel.unigramCdf(sample, lm.vocabSize()), List.of(1.0), train.seed() + round).get(0);
      return new RunLog.ValidationRow(variant, round, source, r.loss(), Double.NaN, Double.NaN, r.positions(), 0);
    }
    Evaluator.Metrics m = new Evaluator(lm, 16).evaluate(NamedTensors.fromBytes(body), embeddings, sample, tokenBytes);
    return new RunLog.ValidationRow(variant, round, source, m.meanLoss(), m.perplexity(), m.bitsPerByte(), m.tokens(), m.bytes());
  }

  private NamedTensors ownEmbeddings(DecoderLm lm) {
    CheckpointStore store = new CheckpointStore(storeRoot, hadoop.get());
    return SourceState.embeddingsOf(store, source, train.replicas(), round)
        .orElseGet(() -> InputSide.init(lm, train, SharingPolicy.of(variant), SourceTask.embeddingSeed(train.seed(), source)));
  }
}
