package dept.train.scoring;

import java.io.Serializable;
import java.util.List;

/**
 * What {@link ScoringJob} runs on executors for one evaluation: per unit (a source, a tokenizer, a
 * document set), opened once per task, fed the unit's batches; the batches' sums are merged in
 * batch order and finished into one small result row, also on an executor.
 *
 * @param <S> one batch's sums (or several batches' merged)
 * @param <R> a unit's result row
 */
public interface Scorer<S extends Serializable, R extends Serializable> extends Serializable {

  /** Loads what scoring {@code unit} takes (weights, a lookup table): on an executor, once per task and unit. */
  UnitScorer<S> open(String unit);

  /** {@code earlier}'s sums followed by {@code later}'s. */
  S merge(S earlier, S later);

  /** The unit's result from the sums over all its batches. */
  R finish(String unit, S total);

  /** One unit's loaded model; closed when its task is done. */
  interface UnitScorer<S> extends AutoCloseable {

    /** @param first the index of the batch's first block in its unit (block id order, from 0) */
    S score(long first, List<int[]> batch);

    @Override
    void close();
  }
}
