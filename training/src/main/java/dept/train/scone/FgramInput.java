package dept.train.scone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dept.prep.ngram.FgramMatcher;
import dept.train.model.DecoderLm;
import dept.train.model.InputEmbedder;
import dept.train.model.Weights;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SCONE's input while training: at each position the longest f-gram ending there (from the
 * matcher) is embedded by the f-gram model, once per distinct f-gram in the batch (grouped by
 * length, one forward pass per length), and that embedding replaces (or, in {@code add} mode, is
 * added to) the token's row. Positions with no f-gram of length >= 2 read the token row alone.
 * Everything stays on the autograd tape, so the f-gram model and the token rows it reads train
 * with the main model.
 */
public final class FgramInput implements InputEmbedder {

  private final FgramModel model;
  private final FgramMatcher matcher;

  /** @param matcher over the f-grams the config uses ({@link SconeConfig#usable}), ids in the token space of the rows */
  public FgramInput(FgramModel model, FgramMatcher matcher) {
    this.model = model;
    this.matcher = matcher;
  }

  /** Which f-grams a batch uses: per position its index among the distinct f-grams (-1: none). */
  record Matches(int[] local, List<int[]> distinct) {}

  Matches match(long[] flat, int rows, int cols) {
    int[] fgramAt = new int[flat.length];
    int[] row = new int[cols];
    Map<Integer, Integer> seen = new HashMap<>();
    for (int b = 0; b < rows; b++) {
      for (int i = 0; i < cols; i++) {
        row[i] = (int) flat[b * cols + i];
      }
      for (int i = 0; i < cols; i++) {
        int id = matcher.longest(row, i);
        fgramAt[b * cols + i] = id;
        if (id != FgramMatcher.NONE) {
          seen.putIfAbsent(id, 0);
        }
      }
    }
    // Local order: by length, then id, so each length is one contiguous forward pass.
    List<Integer> ids = new ArrayList<>(seen.keySet());
    ids.sort(Comparator.<Integer>comparingInt(id -> matcher.fgram(id).length).thenComparingInt(id -> id));
    List<int[]> distinct = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      seen.put(ids.get(i), i);
      distinct.add(matcher.fgram(ids.get(i)));
    }
    int[] local = new int[flat.length];
    for (int p = 0; p < flat.length; p++) {
      local[p] = fgramAt[p] == FgramMatcher.NONE ? -1 : seen.get(fgramAt[p]);
    }
    return new Matches(local, distinct);
  }

  /** The f-gram model's embeddings (F, d) of f-grams sorted by length. */
  NDArray embedDistinct(List<int[]> distinct, NDArray wte, Weights w, NDManager step) {
    NDList parts = new NDList();
    int from = 0;
    while (from < distinct.size()) {
      int n = distinct.get(from).length;
      int to = from;
      while (to < distinct.size() && distinct.get(to).length == n) {
        to++;
      }
      parts.add(model.embed(FgramModel.idsArray(distinct.subList(from, to), step), wte, w, step));
      from = to;
    }
    return parts.size() == 1 ? parts.singletonOrThrow() : NDArrays.concat(parts, 0);
  }

  @Override
  public NDArray embed(NDArray tokens, Weights w, NDManager step) {
    Shape s = tokens.getShape();
    int rows = (int) s.get(0);
    int cols = (int) s.get(1);
    long[] flat = tokens.toLongArray();
    NDArray wte = w.get(DecoderLm.EMBED + "wte");
    Matches m = match(flat, rows, cols);
    if (m.distinct().isEmpty()) {
      return InputEmbedder.lookup(tokens, wte);
    }
    NDArray fgrams = embedDistinct(m.distinct(), wte, w, step);
    long vocab = wte.getShape().get(0);
    long[] index = new long[flat.length];
    if (model.scone().additive()) {
      for (int p = 0; p < flat.length; p++) {
        index[p] = m.local()[p] + 1; // row 0 adds nothing
      }
      NDArray extra = NDArrays.concat(new NDList(step.zeros(new Shape(1, wte.getShape().get(1))), fgrams), 0);
      return InputEmbedder.lookup(tokens, wte).add(InputEmbedder.lookup(step.create(index, s), extra));
    }
    for (int p = 0; p < flat.length; p++) {
      index[p] = m.local()[p] < 0 ? flat[p] : vocab + m.local()[p];
    }
    NDArray table = NDArrays.concat(new NDList(wte, fgrams), 0); // token rows, then this batch's f-grams
    table.attach(step); // concat lands in the first array's (the parameters') manager
    return InputEmbedder.lookup(step.create(index, s), table);
  }
}
