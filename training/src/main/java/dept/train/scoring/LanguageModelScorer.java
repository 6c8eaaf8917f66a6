package dept.train.scoring;

import ai.djl.ndarray.NDManager;
import dept.prep.io.HadoopConfig;
import dept.train.local.Evaluator;
import dept.train.local.LocalTrainer;
import dept.train.model.DecoderLm;
import dept.train.model.ModelParams;
import dept.train.params.NamedTensors;
import dept.train.scone.FgramEmbeddingStore;
import dept.train.scone.SconeTableReader;
import dept.train.scone.TableInput;
import java.util.List;
import java.util.Map;

/**
 * Bits per byte of a trained language model on each unit's blocks, read with the unit's
 * tokenizer; a {@code +SCONE} model reads its input rows from the precomputed lookup table of that
 * tokenizer (loaded by the task, host memory), as deployment does, and the lookups are timed.
 *
 * @param tokenizerOfUnit the tokenizer each unit is read with
 * @param tokenBytes UTF-8 bytes per token id, per tokenizer
 * @param sconeTables the lookup table directory per tokenizer for a {@code +SCONE} model (empty otherwise)
 */
public record LanguageModelScorer(BroadcastModel model, Map<String, String> tokenizerOfUnit, Map<String, int[]> tokenBytes,
    Map<String, String> sconeTables, HadoopConfig hadoop) implements Scorer<LanguageModelScore, LanguageModelScore> {

  /** Repetitions timed per batch, after one warm-up lookup. */
  private static final int LOOKUP_REPEATS = 5;

  @Override
  public UnitScorer<LanguageModelScore> open(String unit) {
    String tokenizer = tokenizerOfUnit.get(unit);
    NamedTensors embeddings = model.embeddings(tokenizer);
    DecoderLm lm = new DecoderLm(model.config(), DecoderLm.vocabSizeOf(embeddings), model.seqLen());
    FgramEmbeddingStore table = sconeTables.containsKey(tokenizer)
        ? SconeTableReader.loadFor(sconeTables.get(tokenizer), hadoop.get(), lm.vocabSize(), lm.config().dModel()) : null;
    if (table != null) {
      lm = lm.withInput(new TableInput(table));
    }
    Evaluator evaluator = new Evaluator(lm, Integer.MAX_VALUE); // batches come cut by the job
    NDManager root = NDManager.newBaseManager(LocalTrainer.device());
    ModelParams params = new ModelParams(model.body().with(embeddings), root, LocalTrainer.device(), false);
    int[] bytes = tokenBytes.get(tokenizer);
    return new UnitScorer<>() {
      @Override
      public LanguageModelScore score(long first, List<int[]> batch) {
        Evaluator.Metrics m = evaluator.evaluateBatch(params, batch, bytes);
        return new LanguageModelScore(m, table == null ? null : timedLookups(table, batch));
      }

      @Override
      public void close() {
        params.close();
        root.close();
        if (table != null) {
          table.close();
        }
      }
    };
  }

  /** Host-side lookup time of the batch (probes + row copy), a few times after a warm-up. */
  private static LanguageModelScore.TableLookups timedLookups(FgramEmbeddingStore table, List<int[]> blocks) {
    int[][] batch = blocks.toArray(new int[0][]);
    table.lookup(batch);
    long start = System.nanoTime();
    for (int r = 0; r < LOOKUP_REPEATS; r++) {
      table.lookup(batch);
    }
    return new LanguageModelScore.TableLookups(table.rows(), table.fgrams(), table.bytes(), System.nanoTime() - start,
        (long) LOOKUP_REPEATS * batch.length * batch[0].length);
  }

  @Override
  public LanguageModelScore merge(LanguageModelScore earlier, LanguageModelScore later) {
    return earlier.plus(later);
  }

  @Override
  public LanguageModelScore finish(String unit, LanguageModelScore total) {
    return total;
  }
}
