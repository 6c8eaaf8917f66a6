package dept.train.dept;

import dept.prep.io.HadoopConfig;
import dept.train.local.Evaluator;
import dept.train.model.DecoderLm;
import dept.train.model.ModelConfig;
import dept.train.params.NamedTensors;
import dept.train.scone.SconeModels;
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
    Evaluator.Metrics m = new Evaluator(lm, 16).evaluate(NamedTensors.fromBytes(body), embeddings, sample, tokenBytes);
    return new RunLog.ValidationRow(variant, round, source, m.meanLoss(), m.perplexity(), m.bitsPerByte(), m.tokens(), m.bytes());
  }

  private NamedTensors ownEmbeddings(DecoderLm lm) {
    CheckpointStore store = new CheckpointStore(storeRoot, hadoop.get());
    return SourceState.embeddingsOf(store, source, train.replicas(), round)
        .orElseGet(() -> SconeModels.initInputs(lm, train.sconeFor(SharingPolicy.of(variant)), SourceTask.embeddingSeed(train.seed(), source)));
  }
}
