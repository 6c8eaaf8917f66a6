package dept.train.rounds;

import dept.train.local.BatchOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The blocks of one task's round: its next H batches' picks first, then only those blocks, read
 * from the files one source at a time and turned into the task's local token ids (TRIM). What a
 * task holds is bounded by H x B blocks, whatever the size of its sources.
 *
 * @param batches the round's H batches, in the order they train
 * @param blocksRead distinct blocks read (at most H x B)
 * @param rowsScanned rows Parquet decoded to find them (the pages that could hold them)
 */
record RoundBlocks(List<int[][]> batches, int blocksRead, long rowsScanned) {

  /** @param toLocal each global id's local id when the task holds some rows only (TRIM), else null */
  static RoundBlocks read(BatchOrder order, int steps, TaskCorpus corpus, BlockFiles files, int[] toLocal) {
    List<BatchOrder.Pick[]> picks = new ArrayList<>(steps);
    Map<Integer, Set<Long>> ids = new TreeMap<>();
    for (int step = 0; step < steps; step++) {
      BatchOrder.Pick[] batch = order.next();
      picks.add(batch);
      for (BatchOrder.Pick p : batch) {
        ids.computeIfAbsent(p.source(), s -> new TreeSet<>()).add(corpus.blockId(p.position()));
      }
    }
    List<String> sources = corpus.sources();
    Map<Integer, Map<Long, int[]>> read = new TreeMap<>();
    long scanned = 0;
    int distinct = 0;
    for (Map.Entry<Integer, Set<Long>> e : ids.entrySet()) {
      BlockFiles.Found found = files.read(corpus.tokenizer(), sources.get(e.getKey()), "train", e.getValue());
      if (toLocal != null) {
        found.blocks().replaceAll((id, tokens) -> localized(tokens, toLocal, sources.get(e.getKey()), id));
      }
      read.put(e.getKey(), found.blocks());
      scanned += found.rowsScanned();
      distinct += found.blocks().size();
    }
    List<int[][]> batches = new ArrayList<>(steps);
    for (BatchOrder.Pick[] batch : picks) {
      int[][] rows = new int[batch.length][];
      for (int b = 0; b < batch.length; b++) {
        rows[b] = read.get(batch[b].source()).get(corpus.blockId(batch[b].position()));
      }
      batches.add(rows);
    }
    return new RoundBlocks(batches, distinct, scanned);
  }

  /** The inverse of a task's row ids: each global id's local row, -1 where it holds none. */
  static int[] toLocal(int[] rowIds, int globalVocab) {
    int[] local = new int[globalVocab];
    java.util.Arrays.fill(local, -1);
    for (int i = 0; i < rowIds.length; i++) {
      local[rowIds[i]] = i;
    }
    return local;
  }

  private static int[] localized(int[] tokens, int[] toLocal, String source, long id) {
    int[] out = new int[tokens.length];
    for (int i = 0; i < tokens.length; i++) {
      int t = tokens[i];
      out[i] = t >= 0 && t < toLocal.length ? toLocal[t] : -1;
      if (out[i] < 0) {
        throw new IllegalStateException("block " + id + " of source '" + source + "' holds token " + t
            + ", which its counted rows do not: the blocks dataset changed under a running training");
      }
    }
    return out;
  }
}
