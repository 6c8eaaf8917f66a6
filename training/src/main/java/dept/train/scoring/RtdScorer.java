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
 * Replaced-token detection with early exit on each unit's blocks, read with the unit's tokenizer,
 * corrupted by {@code corruptedBy}: replacements from the unit's unigram distribution, uniform, or
 * (mlm) sampled from {@code generator}'s generator. The corruption of a batch is seeded by
 * {@code seed} and the index of its first block and does not read the discriminator, so every
 * discriminator scored with the same generator, seed and blocks sees the same corrupted set. The
 * result is one row per threshold (AUC computed on the executor, from every scored position of the unit).
 *
 * @param generator the model whose mlm generator corrupts (only read when {@code corruptedBy} is mlm)
 * @param unigramCdfs per unit, {@link RtdModel#unigramCdf(long[])} of its counts
 */
public record RtdScorer(BroadcastModel model, BroadcastModel generator, RtdConfig.Generator corruptedBy, RtdConfig rtd,
    Map<String, String> tokenizerOfUnit, Map<String, double[]> unigramCdfs, long seed)
    implements Scorer<RtdEvaluator.Counts, ArrayList<RtdEvaluator.Row>> {

  public RtdScorer {
    if (corruptedBy == RtdConfig.Generator.MLM && generator == null) {
      throw new IllegalArgumentException("an mlm-corrupted set needs the model whose generator corrupts it");
    }
  }

  @Override
  public UnitScorer<RtdEvaluator.Counts> open(String unit) {
    String tokenizer = tokenizerOfUnit.get(unit);
    NamedTensors embeddings = model.embeddings(tokenizer);
    int vocab = DecoderLm.vocabSizeOf(embeddings);
    RtdModel rtdModel = new RtdModel(model.config(), vocab, model.seqLen(), rtd);
    RtdEvaluator evaluator = new RtdEvaluator(rtdModel, Integer.MAX_VALUE); // batches come cut by the job
    boolean mlm = corruptedBy == RtdConfig.Generator.MLM;
    RtdModel corrupter = new RtdModel(mlm ? generator.config() : model.config(), vocab, model.seqLen(), rtd.withGenerator(corruptedBy));
    double[] unigram = unigramCdfs.get(unit);
    NDManager root = NDManager.newBaseManager(LocalTrainer.device());
    ModelParams params = new ModelParams(model.body().with(embeddings), root, LocalTrainer.device(), false);
    ModelParams generatorParams = mlm ? new ModelParams(generator.embeddings(tokenizer), root, LocalTrainer.device(), false) : params;
    return new UnitScorer<>() {
      @Override
      public RtdEvaluator.Counts score(long first, List<int[]> batch) {
        return evaluator.evaluateBatch(params, corrupter, generatorParams, batch, unigram, rtd.thresholds(), seed, first);
      }

      @Override
      public void close() {
        if (generatorParams != params) {
          generatorParams.close();
        }
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
