package dept.train.rounds;

import dept.prep.tokenizer.SpecialTokens;
import dept.train.params.NamedTensors;
import dept.train.params.Tensor;
import dept.train.scone.SconeModels;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * TRIM: the global vocabulary, but a source holds only the token rows its data uses (row i of its
 * table is global id {@code rowIds[i]}, so its softmax covers those rows) and trains on its data
 * in those local ids. Everything else on the input side is shared whole; the token rows go up
 * with their global ids and are averaged row by row into the mean that goes through the outer
 * strategy like every other tensor. A source is scored as it trained: with the softmax over its
 * held rows ({@link #scoringRows}); the full-vocabulary figure is reported beside it.
 */
record TrimSharing() implements SharingPolicy {

  @Override
  public boolean aggregated(String name) {
    return !name.equals(Upload.TABLE);
  }

  @Override
  public TaskInputs receive(SourceSide side, SourceState previous, NamedTensors global, TaskCorpus corpus,
      List<int[]> fgrams) {
    int[] ids = heldRows(corpus.tokenCounts());
    // Every other input-side tensor (positions, SCONE's f-gram model, ELECTRA's generator) whole.
    NamedTensors table = global.select(n -> !n.equals(Upload.TABLE))
        .with(new NamedTensors(Map.of(Upload.TABLE, gather(global.get(Upload.TABLE), ids))));
    List<int[]> localFgrams = fgrams == null ? null : SconeModels.toLocalIds(fgrams, ids);
    // The driver would send only these rows.
    return new TaskInputs(side.lm(ids.length), table, localFgrams, ids, table.byteSize(), table.parameterCount());
  }

  @Override
  public boolean rowsFromData() {
    return true;
  }

  @Override
  public boolean uploaded(String name) {
    return true; // the shared tensors whole, the token table as the rows this source holds
  }

  @Override
  public Upload upload(NamedTensors trained, TaskInputs inputs) {
    return new Upload(trained.select(this::uploaded), inputs.rowIds());
  }


  @Override
  public boolean[] scoringRows(SourceSide side) {
    return HeldRows.read(side.store(), side.source(), side.train().replicas(), side.vocabSize());
  }

  /** The global ids a source holds: the specials (so they keep ids 0-2 locally) and every token its data uses. */
  static int[] heldRows(long[] tokenCounts) {
    IntStream specials = IntStream.range(0, SpecialTokens.ALL.size());
    IntStream used = IntStream.range(0, tokenCounts.length).filter(t -> tokenCounts[t] > 0);
    return IntStream.concat(specials, used).distinct().sorted().toArray();
  }

  /** The local table: rows {@code ids} of {@code global} (V x d), in that order. */
  static Tensor gather(Tensor global, int[] ids) {
    int d = (int) global.shape()[1];
    float[] out = new float[ids.length * d];
    for (int i = 0; i < ids.length; i++) {
      System.arraycopy(global.data(), ids[i] * d, out, i * d, d);
    }
    return new Tensor(new long[] {ids.length, d}, out);
  }
}
