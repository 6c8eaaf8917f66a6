package dept.train.rounds;

import ai.djl.ndarray.NDManager;
import dept.train.local.Evaluator;
import dept.train.local.LocalTrainer;
import dept.train.model.DecoderLm;
import dept.train.model.ModelParams;
import dept.train.params.NamedTensors;
import dept.train.random.Seeds;
import dept.train.rtd.RtdEvaluator;
import dept.train.rtd.RtdModel;
import dept.train.scone.SconeModels;
import dept.train.scoring.Scorer;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.apache.spark.broadcast.Broadcast;

/**
 * A round's validation of each source, as the {@link dept.train.scoring.ScoringJob} runs it on
 * executors: the body with the embeddings the source's sharing policy scores it with (SPEC: its own
 * after {@code round}, from the store; otherwise the global ones), next-token loss and bits per
 * byte, or for {@code +RTD} the replaced-token-detection loss (accuracy, AUC and early exit are
 * {@code dept early-exit}'s).
 *
 * @param unigram for {@code +RTD}: each source's replacement distribution (from its validation sample)
 */
record ValidationScorer(Map<String, SourceSide> sides, int round, Map<String, int[]> tokenBytes, ShardedBroadcast body,
    ShardedBroadcast globalEmbeddings, Broadcast<Map<String, List<int[]>>> fgrams, Map<String, double[]> unigram)
    implements Scorer<ValidationScorer.Sums, RunLog.ValidationRow> {

  /**
   * One batch's sums, or several's: next-token metrics (over the rows the source trained, and over
   * every row), or replaced-token-detection counts for {@code +RTD}.
   */
  record Sums(Evaluator.RowScores lm, RtdEvaluator.Counts rtd) implements Serializable {}

  private static final List<Double> NO_EXIT = List.of(1.0);

  @Override
  public UnitScorer<Sums> open(String source) {
    SourceSide side = sides.get(source);
    Variant variant = side.variant();
    TrainConfig train = side.train();
    NamedTensors embeddings = variant.policy().scoringEmbeddings(side, round, globalEmbeddings.value());
    DecoderLm lm = SconeModels.withFgrams(side.lm(), train.sconeFor(variant), fgrams.value().get(source));
    NDManager root = NDManager.newBaseManager(LocalTrainer.device());
    ModelParams params = new ModelParams(body.value().with(embeddings), root, LocalTrainer.device(), false);
    Evaluator lmScore = variant.rtd() ? null : new Evaluator(lm, Integer.MAX_VALUE); // batches come cut by the job
    RtdModel rtd = variant.rtd() ? InputSide.rtdModel(lm, train) : null;
    RtdEvaluator rtdScore = variant.rtd() ? new RtdEvaluator(rtd, Integer.MAX_VALUE) : null;
    long seed = Seeds.derive(train.seed(), "validation", round);
    boolean[] rows = variant.rtd() ? null : variant.policy().scoringRows(side);
    double outsideNats = Math.log(side.vocabSize()); // a target the source never trained: a uniform guess over the vocabulary
    return new UnitScorer<>() {
      @Override
      public Sums score(long first, List<int[]> batch) {
        if (rtdScore == null && rows != null) {
          return new Sums(lmScore.evaluateBatchOverRows(params, batch, tokenBytes.get(source), rows, outsideNats), null);
        }
        if (rtdScore == null) {
          Evaluator.Metrics m = lmScore.evaluateBatch(params, batch, tokenBytes.get(source));
          return new Sums(new Evaluator.RowScores(m, m, 0), null);
        }
        return new Sums(null, rtdScore.evaluateBatch(params, rtd, params, batch, unigram.get(source), NO_EXIT, seed, first));
      }

      @Override
      public void close() {
        params.close();
        root.close();
      }
    };
  }

  @Override
  public Sums merge(Sums earlier, Sums later) {
    return earlier.lm() != null ? new Sums(earlier.lm().plus(later.lm()), null) : new Sums(null, earlier.rtd().plus(later.rtd()));
  }

  @Override
  public RunLog.ValidationRow finish(String source, Sums total) {
    SourceSide side = sides.get(source);
    String name = side.variant().name();
    if (total.rtd() != null) {
      // Replaced-token detection is not a language model: perplexity and bits per byte are NaN.
      RtdEvaluator.Row r = RtdEvaluator.rows(total.rtd(), NO_EXIT, side.model().layers()).get(0);
      return new RunLog.ValidationRow(name, round, source, r.loss(), Double.NaN, Double.NaN, r.positions(), 0, Double.NaN, 0);
    }
    Evaluator.Metrics m = total.lm().rows();
    return new RunLog.ValidationRow(name, round, source, m.meanLoss(), m.perplexity(), m.bitsPerByte(), m.tokens(), m.bytes(),
        total.lm().all().bitsPerByte(), total.lm().outside());
  }
}
