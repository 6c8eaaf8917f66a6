package dept.train.local;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dept.train.model.AdapterTaps;
import dept.train.model.DecoderLm;
import dept.train.model.ModelParams;
import dept.train.params.NamedTensors;
import java.io.Serializable;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Validation metrics of a body with a set of embeddings: mean loss (nats per token), perplexity,
 * and bits per UTF-8 byte = total loss / (bytes x ln 2), the figure that compares models whose
 * tokenizers differ.
 */
public final class Evaluator {

  /** Loss over {@code tokens} real targets that stand for {@code bytes} UTF-8 bytes. */
  public record Metrics(double totalNats, long tokens, long bytes) implements Serializable {
    public static final Metrics NONE = new Metrics(0, 0, 0);

    /** These sums followed by {@code later}'s: adding batches in order gives the same double as one sequential pass. */
    public Metrics plus(Metrics later) {
      return new Metrics(totalNats + later.totalNats, tokens + later.tokens, bytes + later.bytes);
    }

    public double meanLoss() {
      return totalNats / Math.max(1, tokens);
    }

    public double perplexity() {
      return Math.exp(meanLoss());
    }

    public double bitsPerByte() {
      return totalNats / (Math.max(1, bytes) * Math.log(2));
    }
  }

  private final DecoderLm model;
  private final int batchSize;

  public Evaluator(DecoderLm model, int batchSize) {
    this.model = model;
    this.batchSize = batchSize;
  }

  /**
   * @param tokenBytes UTF-8 bytes each token id stands for (0 for special tokens)
   */
  public Metrics evaluate(NamedTensors body, NamedTensors embeddings, List<int[]> blocks, int[] tokenBytes) {
    Metrics total = Metrics.NONE;
    try (NDManager root = NDManager.newBaseManager(LocalTrainer.device());
        ModelParams params = new ModelParams(body.with(embeddings), root, LocalTrainer.device(), false)) {
      for (int from = 0; from < blocks.size(); from += batchSize) {
        total = total.plus(evaluateBatch(params, blocks.subList(from, Math.min(blocks.size(), from + batchSize)), tokenBytes));
      }
    }
    return total;
  }

  /** One batch (at most the batch size) with weights already loaded, as a scoring task runs it. */
  public Metrics evaluateBatch(ModelParams params, List<int[]> blocks, int[] tokenBytes) {
    return evaluateBatch(params, blocks, tokenBytes, null, null);
  }

  /**
   * A batch scored two ways: with the softmax over only the token rows in {@code held} (a model
   * that trained only those rows, as TRIM's sources do: with tied input/output embeddings the
   * logits of those rows are its logits), a target outside them costing {@code outsideNats} nats;
   * and with the softmax over every row.
   *
   * @param held the rows of the softmax, by token id
   * @return {@code rows}: the held-row metrics; {@code all}: the full-vocabulary ones; {@code
   *     outside}: targets outside the held rows
   */
  public RowScores evaluateBatchOverRows(ModelParams params, List<int[]> blocks, int[] tokenBytes, boolean[] held, double outsideNats) {
    int[][] batch = blocks.toArray(new int[0][]);
    float[] heldNll;
    float[] allNll;
    int t = batch[0].length - 1;
    float[] bias = new float[held.length];
    for (int i = 0; i < held.length; i++) {
      bias[i] = held[i] ? 0f : -1e9f; // exp underflows to 0: these rows leave the softmax
    }
    try (NDManager step = params.manager().newSubManager()) {
      NDArray ids = Batches.toArray(batch, step);
      NDArray inputs = ids.get(new ai.djl.ndarray.index.NDIndex(":, 0:{}", t));
      NDArray targets = ids.get(new ai.djl.ndarray.index.NDIndex(":, 1:{}", t + 1)).expandDims(-1);
      NDArray logits = model.logits(inputs, params, step); // (B, T, V)
      allNll = logits.logSoftmax(-1).gather(targets, -1).neg().toFloatArray();
      heldNll = logits.add(step.create(bias)).logSoftmax(-1).gather(targets, -1).neg().toFloatArray();
    }
    double rowsNats = 0;
    double allNats = 0;
    long tokens = 0;
    long bytes = 0;
    long outside = 0;
    for (int b = 0; b < batch.length; b++) {
      for (int i = 1; i <= t; i++) {
        int target = batch[b][i];
        bytes += tokenBytes[target];
        if (target == dept.prep.tokenizer.SpecialTokens.PAD_ID) {
          continue;
        }
        tokens++;
        allNats += allNll[b * t + i - 1];
        if (held[target]) {
          rowsNats += heldNll[b * t + i - 1];
        } else {
          rowsNats += outsideNats;
          outside++;
        }
      }
    }
    return new RowScores(new Metrics(rowsNats, tokens, bytes), new Metrics(allNats, tokens, bytes), outside);
  }

  /** {@link #evaluateBatchOverRows}' result: held-row metrics, full-vocabulary metrics, targets outside the rows. */
  public record RowScores(Metrics rows, Metrics all, long outside) implements Serializable {
    public RowScores plus(RowScores later) {
      return new RowScores(rows.plus(later.rows), all.plus(later.all), outside + later.outside);
    }
  }

  /**
   * As {@link #evaluateBatch(ModelParams, List, int[])}, also handing what the adapters output
   * ({@code taps}, filled by the forward pass) and the batch's token ids (B, T + 1) to {@code
   * inspect} before the batch's arrays are freed.
   */
  public Metrics evaluateBatch(ModelParams params, List<int[]> blocks, int[] tokenBytes, AdapterTaps taps,
      BiConsumer<AdapterTaps, NDArray> inspect) {
    int[][] batch = blocks.toArray(new int[0][]);
    double nats;
    long tokens;
    try (NDManager step = params.manager().newSubManager()) {
      NDArray ids = Batches.toArray(batch, step);
      DecoderLm.TokenLoss loss = model.tokenLoss(ids, params, step, taps);
      nats = loss.nll().mul(loss.mask()).sum().getFloat();
      tokens = (long) loss.mask().sum().getFloat();
      if (inspect != null) {
        inspect.accept(taps, ids);
      }
    }
    long bytes = 0;
    for (int[] block : batch) {
      for (int i = 1; i < block.length; i++) {
        bytes += tokenBytes[block[i]];
      }
    }
    return new Metrics(nats, tokens, bytes);
  }
}
