package dept.train.ml;

import dept.prep.ml.ParsedTokenizers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Scores a group of documents through opened units: each document cut by {@link DocumentWindows},
 * the blocks of all documents read by one tokenizer batched together, each block's nats and targets
 * added back to its document. Holds its leases until {@link #close()}.
 */
final class DocumentScorer implements AutoCloseable {

  private static final double LN2 = Math.log(2);

  /** A document's score: bits per byte, targets scored, and (when asked for) its mean final hidden state. */
  record Score(double bitsPerByte, long tokens, float[] embedding) {}

  private final ScoringModel model;
  private final int batchSize;
  private final boolean embed;
  private final Map<String, OpenedModels.Lease> leases = new TreeMap<>();

  DocumentScorer(ScoringModel model, int batchSize, boolean embed) {
    this.model = model;
    this.batchSize = batchSize;
    this.embed = embed;
  }

  /** The scores of {@code texts}, each read by the tokenizer named beside it (non-empty texts, known tokenizers). */
  List<Score> score(List<String> texts, List<String> tokenizers) {
    int n = texts.size();
    double[] nats = new double[n];
    long[] tokens = new long[n];
    int dim = model.dModel();
    double[][] pooled = embed ? new double[n][dim] : null;
    Map<String, List<int[]>> blocks = new TreeMap<>();
    Map<String, List<Integer>> owner = new TreeMap<>();
    for (int d = 0; d < n; d++) {
      String name = tokenizers.get(d);
      ScoringUnit u = unit(name);
      for (int[] block : DocumentWindows.of(ParsedTokenizers.get(model.id(), name, model.tokenizers().value()).encode(texts.get(d)), u.seqLen())) {
        blocks.computeIfAbsent(name, k -> new ArrayList<>()).add(block);
        owner.computeIfAbsent(name, k -> new ArrayList<>()).add(d);
      }
    }
    blocks.forEach((name, list) -> {
      List<Integer> docs = owner.get(name);
      for (int from = 0; from < list.size(); from += batchSize) {
        List<int[]> batch = list.subList(from, Math.min(list.size(), from + batchSize));
        double[] bn = new double[batch.size()];
        long[] bt = new long[batch.size()];
        float[] bh = pooled == null ? null : new float[batch.size() * dim];
        unit(name).score(batch, bn, bt, bh);
        for (int i = 0; i < batch.size(); i++) {
          int doc = docs.get(from + i);
          nats[doc] += bn[i];
          tokens[doc] += bt[i];
          for (int c = 0; pooled != null && c < dim; c++) {
            pooled[doc][c] += bh[i * dim + c];
          }
        }
      }
    });
    List<Score> out = new ArrayList<>(n);
    for (int d = 0; d < n; d++) {
      long bytes = texts.get(d).getBytes(StandardCharsets.UTF_8).length;
      float[] mean = null;
      if (pooled != null) {
        mean = new float[dim];
        for (int c = 0; c < dim; c++) {
          mean[c] = (float) (pooled[d][c] / tokens[d]);
        }
      }
      out.add(new Score(nats[d] / LN2 / bytes, tokens[d], mean));
    }
    return out;
  }

  private ScoringUnit unit(String tokenizer) {
    return leases.computeIfAbsent(tokenizer, t -> OpenedModels.lease(model, t)).unit();
  }

  @Override
  public void close() {
    leases.values().forEach(OpenedModels.Lease::close);
    leases.clear();
  }
}
