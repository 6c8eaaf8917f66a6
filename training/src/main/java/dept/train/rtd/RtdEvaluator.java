package dept.train.rtd;

import dept.train.random.Seeds;
import ai.djl.ndarray.NDManager;
import dept.train.local.LocalTrainer;
import dept.train.model.ComputeMeter;
import dept.train.model.ModelParams;
import dept.train.params.NamedTensors;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Replaced-token detection on held-out blocks at each exit threshold: each batch is corrupted once
 * (seeded by the evaluation's seed and the batch's first block, by a generator that need not be the
 * discriminator's own: a shared corrupted set), the discriminator runs once without exit (loss,
 * final-layer accuracy, the multiply-adds of no exit) and once per threshold below 1 with real
 * exits. One pass cannot serve every threshold: a position that left freezes the keys and values
 * the others attend to, so later layers differ between thresholds. Reports accuracy and AUC of the
 * prediction each token exited with, the share of token-layers not run, the multiply-adds executed
 * relative to no exit, and the majority-class accuracy to beat.
 */
public final class RtdEvaluator {

  /** One threshold's figures; {@code finalLayerAccuracy} is the same model with no exit at all. */
  public record Row(double threshold, long positions, long replaced, double accuracy, double auc, double skippedFraction,
      double macsFraction, double majorityAccuracy, double finalLayerAccuracy, double loss) implements Serializable {}

  /**
   * Sums over batches, per threshold where indexed: what {@link #rows} turns into figures. Each
   * (probability, label) pair a token exited with is kept for the AUC, which is no sum.
   */
  public record Counts(long positions, long replaced, long finalCorrect, double lossSum, int batches, long[] correct, long[] skipped,
      long[] macs, long denseMacs, List<List<float[]>> scored) implements Serializable {

    /** No batch yet, for {@code thresholds} thresholds. */
    public static Counts none(int thresholds) {
      List<List<float[]>> scored = new ArrayList<>();
      for (int i = 0; i < thresholds; i++) {
        scored.add(List.of());
      }
      return new Counts(0, 0, 0, 0, 0, new long[thresholds], new long[thresholds], new long[thresholds], 0, scored);
    }

    /** These counts followed by {@code later}'s (the loss sum adds in batch order, as one sequential pass does). */
    public Counts plus(Counts later) {
      long[] c = correct.clone();
      long[] s = skipped.clone();
      long[] m = macs.clone();
      List<List<float[]>> pairs = new ArrayList<>();
      for (int i = 0; i < c.length; i++) {
        c[i] += later.correct[i];
        s[i] += later.skipped[i];
        m[i] += later.macs[i];
        List<float[]> p = new ArrayList<>(scored.get(i));
        p.addAll(later.scored.get(i));
        pairs.add(p);
      }
      return new Counts(positions + later.positions, replaced + later.replaced, finalCorrect + later.finalCorrect,
          lossSum + later.lossSum, batches + later.batches, c, s, m, denseMacs + later.denseMacs, pairs);
    }
  }

  private final RtdModel model;
  private final int batchSize;

  public RtdEvaluator(RtdModel model, int batchSize) {
    this.model = model;
    this.batchSize = batchSize;
  }

  /** The model on {@code blocks}, corrupted by its own generator. */
  public List<Row> evaluate(NamedTensors body, NamedTensors inputs, List<int[]> blocks, double[] unigram, List<Double> thresholds,
      long seed) {
    Counts total = Counts.none(thresholds.size());
    try (NDManager root = NDManager.newBaseManager(LocalTrainer.device());
        ModelParams p = new ModelParams(body.with(inputs), root, LocalTrainer.device(), false)) {
      for (int from = 0; from < blocks.size(); from += batchSize) {
        List<int[]> part = blocks.subList(from, Math.min(blocks.size(), from + batchSize));
        total = total.plus(evaluateBatch(p, model, p, part, unigram, thresholds, seed, from));
      }
    }
    return rows(total, thresholds, model.layers());
  }

  /**
   * One batch with weights already loaded, as a scoring task runs it: {@code corruptWith} (whose
   * generator kind decides, reading {@code generatorWeights} for mlm) corrupts it, seeded by the
   * evaluation's {@code seed} and the index of the batch's {@code first} block, so the corrupted set
   * depends neither on the discriminator nor on which task scores the batch.
   */
  public Counts evaluateBatch(ModelParams p, RtdModel corruptWith, ModelParams generatorWeights, List<int[]> part, double[] unigram,
      List<Double> thresholds, long seed, long first) {
    int layers = model.layers();
    int k = thresholds.size();
    long[] correct = new long[k];
    long[] skipped = new long[k];
    long[] macs = new long[k];
    List<List<float[]>> scored = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      scored.add(new ArrayList<>());
    }
    long positions = 0;
    long replaced = 0;
    long finalCorrect = 0;
    double lossSum;
    long denseMacs;
    int b = part.size();
    int t = part.get(0).length - 1;
    int[][] inputsOf = part.stream().map(x -> Arrays.copyOf(x, t)).toArray(int[][]::new);
    try (NDManager step = p.manager().newSubManager()) {
      RtdModel.Corrupted c = corruptWith.corrupt(inputsOf, generatorWeights, step, new Random(Seeds.derive(seed, "corrupt", first)), unigram);
      ComputeMeter none = new ComputeMeter(layers);
      RtdModel.Detection full = model.discriminate(c.tokens(), b, t, p, step, 1.0, none);
      denseMacs = none.macs();
      lossSum = model.loss(c, full, step).getFloat();
      for (int q = 0; q < full.exitProb().length; q++) {
        if (c.real()[q]) {
          positions++;
          replaced += (long) c.replaced()[q];
          finalCorrect += (full.exitProb()[q] > 0.5f) == (c.replaced()[q] > 0.5f) ? 1 : 0;
        }
      }
      for (int i = 0; i < k; i++) {
        ComputeMeter meter = new ComputeMeter(layers);
        RtdModel.Detection d = thresholds.get(i) >= 1.0 ? full : model.discriminate(c.tokens(), b, t, p, step, thresholds.get(i), meter);
        macs[i] = thresholds.get(i) >= 1.0 ? denseMacs : meter.macs();
        for (int q = 0; q < d.exitProb().length; q++) {
          if (!c.real()[q]) {
            continue;
          }
          float prob = d.exitProb()[q];
          correct[i] += (prob > 0.5f) == (c.replaced()[q] > 0.5f) ? 1 : 0;
          skipped[i] += layers - 1 - d.exitLayer()[q];
          scored.get(i).add(new float[] {prob, c.replaced()[q]});
        }
      }
    }
    return new Counts(positions, replaced, finalCorrect, lossSum, 1, correct, skipped, macs, denseMacs, scored);
  }

  /** The figures per threshold from counts summed over every batch of a model with {@code layers} layers. */
  public static List<Row> rows(Counts c, List<Double> thresholds, int layers) {
    long positions = c.positions();
    double share = c.replaced() / (double) Math.max(1, positions);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < thresholds.size(); i++) {
      rows.add(new Row(thresholds.get(i), positions, c.replaced(), c.correct()[i] / (double) Math.max(1, positions),
          auc(c.scored().get(i)), c.skipped()[i] / (double) Math.max(1, positions * (long) layers),
          c.macs()[i] / (double) Math.max(1, c.denseMacs()), Math.max(share, 1 - share),
          c.finalCorrect() / (double) Math.max(1, positions), c.lossSum() / Math.max(1, c.batches())));
    }
    return rows;
  }

  /** Area under the ROC curve (the probability a replaced token scores above an original one; ties count half). */
  static double auc(List<float[]> scored) {
    List<float[]> s = new ArrayList<>(scored);
    s.sort((a, b) -> Float.compare(a[0], b[0]));
    double rankSum = 0;
    long pos = 0;
    int i = 0;
    while (i < s.size()) {
      int j = i;
      while (j < s.size() && s.get(j)[0] == s.get(i)[0]) {
        j++;
      }
      double rank = (i + 1 + j) / 2.0; // average 1-based rank of the tie group
      for (int q = i; q < j; q++) {
        if (s.get(q)[1] > 0.5f) {
          rankSum += rank;
          pos++;
        }
      }
      i = j;
    }
    long neg = s.size() - pos;
    if (pos == 0 || neg == 0) {
      return Double.NaN;
    }
    return (rankSum - pos * (pos + 1) / 2.0) / (pos * (double) neg);
  }
}
