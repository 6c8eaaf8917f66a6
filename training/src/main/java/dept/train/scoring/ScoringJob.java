package dept.train.scoring;


import dept.prep.pack.TokenArrays;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * The one scoring job every evaluation runs: blocks keyed by a scoring unit are numbered in block
 * id order, cut into batches, and each batch is scored in an executor task; a unit's batch sums
 * are merged in batch order (the same sums one sequential pass makes) and finished on an executor
 * too, so the driver receives one small row per unit, however large the corpus.
 */
public final class ScoringJob {

  private final int batchSize;

  public ScoringJob(int batchSize) {
    this.batchSize = batchSize;
  }

  private record BatchKey(String unit, int batch) implements Serializable {}

  private record IndexedBlock(int index, int[] tokens) implements Serializable {}

  private record BatchSums<S>(int batch, S sums) implements Serializable {}

  /**
   * @param blocks rows with {@code unit} (string), {@code block_id} (long) and {@code tokens} (array of int)
   * @param maxBlocks score the first this many blocks of each unit by block id (0 = all)
   * @return each unit's result, by unit
   */
  public <S extends Serializable, R extends Serializable> SortedMap<String, R> run(Dataset<Row> blocks, int maxBlocks,
      Scorer<S, R> scorer) {
    Dataset<Row> numbered = ScoringBlocks.firstPerUnit(blocks, maxBlocks);
    int size = batchSize;
    JavaPairRDD<BatchKey, Iterable<IndexedBlock>> batches = numbered.select("unit", "index", "tokens").javaRDD()
        .mapToPair(r -> new Tuple2<>(new BatchKey(r.getString(0), r.getInt(1) / size),
            new IndexedBlock(r.getInt(1), TokenArrays.ints(r.getList(2)))))
        .groupByKey();
    JavaPairRDD<String, BatchSums<S>> sums = batches.mapPartitionsToPair(part -> scoreBatches(part, scorer));
    SortedMap<String, R> results = new TreeMap<>();
    sums.groupByKey().map(u -> new Tuple2<>(u._1(), total(u._1(), u._2(), scorer))).collect()
        .forEach(r -> results.put(r._1(), r._2()));
    return results;
  }

  /** A task's batches, each unit's model opened once for all of its batches in the task. */
  private static <S extends Serializable> Iterator<Tuple2<String, BatchSums<S>>> scoreBatches(
      Iterator<Tuple2<BatchKey, Iterable<IndexedBlock>>> part, Scorer<S, ?> scorer) {
    Map<String, Scorer.UnitScorer<S>> open = new HashMap<>();
    List<Tuple2<String, BatchSums<S>>> out = new ArrayList<>();
    try {
      while (part.hasNext()) {
        Tuple2<BatchKey, Iterable<IndexedBlock>> b = part.next();
        List<IndexedBlock> blocks = new ArrayList<>();
        b._2().forEach(blocks::add);
        blocks.sort(Comparator.comparingInt(IndexedBlock::index));
        S s = open.computeIfAbsent(b._1().unit(), scorer::open)
            .score(blocks.get(0).index(), blocks.stream().map(IndexedBlock::tokens).toList());
        out.add(new Tuple2<>(b._1().unit(), new BatchSums<>(b._1().batch(), s)));
      }
    } finally {
      open.values().forEach(Scorer.UnitScorer::close);
    }
    return out.iterator();
  }

  private static <S extends Serializable, R extends Serializable> R total(String unit, Iterable<BatchSums<S>> batches,
      Scorer<S, R> scorer) {
    List<BatchSums<S>> ordered = new ArrayList<>();
    batches.forEach(ordered::add);
    ordered.sort(Comparator.comparingInt(BatchSums::batch));
    S total = ordered.get(0).sums();
    for (int i = 1; i < ordered.size(); i++) {
      total = scorer.merge(total, ordered.get(i).sums());
    }
    return scorer.finish(unit, total);
  }
}
