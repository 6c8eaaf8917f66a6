package dept.train.scoring;

import dept.train.model.DecoderLm;
import ai.djl.ndarray.NDManager;
import dept.train.local.LocalTrainer;
import dept.train.model.ModelParams;
import dept.train.params.NamedTensors;
import dept.train.rtd.RtdConfig;
import dept.train.rtd.RtdEvaluator;
import dept.train.rtd.RtdModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Replaced-token detection with early exit on each unit's blocks, read with the unit's tokenizer:
 * the corruption of a batch is seeded by {@code seed} and the index of its first block, replacements
 * drawn from the unit's unigram distribution; the result is one row per threshold (AUC computed on
 * the executor, from every scored position of the unit).
 *
 * @param unigramCdfs per unit, {@link RtdModel#unigramCdf(long[])} of its counts
 */
public record RtdScorer(BroadcastModel model, RtdConfig rtd, Map<String, String> tokenizerOfUnit, Map<String, double[]> unigramCdfs,
    long seed) implements Scorer<RtdEvaluator.Counts, ArrayList<RtdEvaluator.Row>> {

  @Override
  public UnitScorer<RtdEvaluator.Counts> open(String unit) {
    NamedTensors embeddings = model.embeddings(tokenizerOfUnit.get(unit));
    RtdModel rtdModel = new RtdModel(model.config(), DecoderLm.vocabSizeOf(embeddings), model.seqLen(), rtd);
    RtdEvaluator evaluator = new RtdEvaluator(rtdModel, Integer.MAX_VALUE); // batches come cut by the job
    double[] unigram = unigramCdfs.get(unit);
    NDManager root = NDManager.newBaseManager(LocalTrainer.device());
    ModelParams params = new ModelParams(model.body().with(embeddings), root, LocalTrainer.device(), false);
    return new UnitScorer<>() {
      @Override
      public RtdEvaluator.Counts score(long first, List<int[]> batch) {
        return evaluator.evaluateBatch(params, batch, unigram, rtd.thresholds(), seed, first);
      }

      @Override
      public void close() {
        params.close();
        root.close();
      }
    };
  }

  @Override
  public RtdEvaluator.Counts merge(RtdEvaluator.Counts earlier, RtdEvaluator.Counts later) {
    return earlier.plus(later);
  }

  @Override
  public ArrayList<RtdEvaluator.Row> finish(String unit, RtdEvaluator.Counts total) {
    return new ArrayList<>(RtdEvaluator.rows(total, rtd.thresholds(), model.config().layers()));
  }
}
