package dept.train.rounds;

import dept.train.local.BatchOrder;
import dept.train.local.LocalTrainer;
import dept.train.model.DecoderLm;
import dept.train.params.NamedTensors;
import java.io.Serializable;
import java.util.List;

/**
 * How a sharing scheme behaves in a round, end to end: what a task receives and trains (which
 * rows), what it keeps at the source, what it sends up, and which embeddings score a source. The
 * driver merges what comes up with the outer strategy; {@link Upload#rowIds} tells it when the
 * token table came up as some rows only (TRIM). Nothing outside this package asks which policy it
 * has: the round code calls these methods.
 */
public sealed interface SharingPolicy extends Serializable permits MixtureSharing, GlobalSharing, TrimSharing, SpecSharing {

  /** Whether the driver averages tensor {@code name} whole across the round's tasks. */
  boolean aggregated(String name);

  /** Whether tensor {@code name} goes up after training (whole, or as some rows: TRIM's token table). */
  default boolean uploaded(String name) {
    return aggregated(name);
  }

  /**
   * The input side and data a task trains: {@code global} is what the driver holds (null for SPEC).
   * By default the driver's global input side as it is, on the task's blocks.
   */
  default TaskInputs receive(SourceSide side, SourceState previous, NamedTensors global, TaskCorpus corpus,
      List<int[]> fgrams) {
    return TaskInputs.global(side, global, fgrams);
  }

  /** Whether a task's rows depend on which tokens its data holds (TRIM): its corpus then counts them. */
  default boolean rowsFromData() {
    return false;
  }

  /** The embeddings that score {@code side}'s source after {@code round}: by default the driver's global ones. */
  default NamedTensors scoringEmbeddings(SourceSide side, int round, NamedTensors global) {
    return global;
  }

  /**
   * The token rows of the softmax that scores {@code side}'s source, by token id: null for every
   * row (the default); TRIM's the rows its source trained.
   */
  default boolean[] scoringRows(SourceSide side) {
    return null;
  }

  /** What the source keeps in its state for the next round besides moments: SPEC its own embeddings. */
  default NamedTensors kept(NamedTensors trainedEmbeddings) {
    return null;
  }

  /** What goes up to the driver after training: the new values of what it aggregates. */
  default Upload upload(NamedTensors trained, TaskInputs inputs) {
    return new Upload(trained.select(this::uploaded), null);
  }

  /** The seeded order of the task's batches: its one source's blocks (the mixture's, temperature-sampled, for STD/ACT). */
  default BatchOrder order(TaskCorpus corpus, TrainConfig train, long seed) {
    return BatchOrder.of(corpus.counts()[0], train.optim().batchSize(), seed);
  }

  /** Anything the scheme adds to the local trainer (ACT's active forgetting). */
  default LocalTrainer configure(LocalTrainer trainer, TrainConfig train, long seed) {
    return trainer;
  }

  /** Whether one task trains on the mixture of all sources (STD, ACT) instead of one task per source. */
  default boolean mixture() {
    return false;
  }

  /**
   * What a task sends up.
   *
   * @param trained new values of the tensors the driver merges
   * @param rowIds when not null, {@code trained}'s token table holds only these rows of the global one
   */
  record Upload(NamedTensors trained, int[] rowIds) {
    static final String TABLE = DecoderLm.EMBED + "wte";
  }
}
