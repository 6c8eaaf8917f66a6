package dept.train.rounds;

import dept.train.model.DecoderLm;
import dept.train.model.ModelConfig;
import dept.train.params.NamedTensors;
import java.io.Serializable;

/**
 * One source as its task or its evaluation sees it inside Spark: the variant, the shapes of its
 * tokenizer's model, and the store where its own state lives.
 *
 * @param vocabSize the size of the tokenizer the source encodes with (its own, or the global one)
 */
record SourceSide(Variant variant, String source, TrainConfig train, ModelConfig model, int seqLen, int vocabSize,
    String storeRoot, dept.prep.io.HadoopConfig hadoop) implements Serializable {

  DecoderLm lm() {
    return lm(vocabSize);
  }

  DecoderLm lm(int rows) {
    return new DecoderLm(model, rows, seqLen);
  }

  CheckpointStore store() {
    return new CheckpointStore(storeRoot, hadoop.get());
  }

  /** The source's seeded initial input side (its replicas share it). */
  NamedTensors initialInputs() {
    return InputSide.init(lm(), train, variant, SourceTask.embeddingSeed(train.seed(), source));
  }

  /** The source's own embeddings after {@code round}, its replicas averaged; the initial ones if it has not trained yet. */
  NamedTensors ownEmbeddings(int round) {
    return SourceState.embeddingsOf(store(), source, train.replicas(), round).orElseGet(this::initialInputs);
  }
}
