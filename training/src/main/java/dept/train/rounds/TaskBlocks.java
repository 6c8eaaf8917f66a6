package dept.train.rounds;

import static org.apache.spark.sql.functions.col;

import dept.prep.pack.TokenArrays;
import dept.prep.tokenizer.VocabConfig;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * The packed blocks as the round's tasks read them: one partition per task, holding its source's
 * blocks (every source's, for the mixture) whose block id is congruent to its replica, in block-id
 * order (determinism), encoded with the tokenizer the variant uses.
 */
final class TaskBlocks {

  private TaskBlocks() {}

  static List<TaskKey> keys(List<String> sources, boolean mixture, int replicas) {
    List<TaskKey> keys = new ArrayList<>();
    for (String s : mixture ? List.of(TaskKey.MIXTURE) : sources) {
      for (int r = 0; r < replicas; r++) {
        keys.add(new TaskKey(s, r));
      }
    }
    return keys;
  }

  static JavaPairRDD<TaskKey, TreeMap<String, List<int[]>>> of(Dataset<Row> blocks, Variant variant, String split,
      List<String> sources, boolean mixture, int replicas) {
    Dataset<Row> chosen = blocks.where(col("split").equalTo(split)
        .and(col("source").isin(sources.toArray()))
        .and(variant.globalVocabulary() ? col("tokenizer").equalTo(VocabConfig.GLOBAL) : col("tokenizer").equalTo(col("source"))));
    List<TaskKey> keys = keys(sources, mixture, replicas);
    return chosen.select("source", "block_id", "tokens").javaRDD()
        .mapToPair(r -> new Tuple2<>(
            new TaskKey(mixture ? TaskKey.MIXTURE : r.getString(0), (int) Math.floorMod(r.getLong(1), (long) replicas)),
            new BlockRow(r.getString(0), r.getLong(1), TokenArrays.ints(r.getList(2)))))
        .partitionBy(new SourcePartitioner(keys))
        .mapPartitionsToPair(it -> {
          List<BlockRow> rows = new ArrayList<>();
          TaskKey key = null;
          while (it.hasNext()) {
            Tuple2<TaskKey, BlockRow> t = it.next();
            key = t._1();
            rows.add(t._2());
          }
          rows.sort(Comparator.comparing(BlockRow::source).thenComparingLong(BlockRow::id));
          TreeMap<String, List<int[]>> bySource = new TreeMap<>();
          rows.forEach(b -> bySource.computeIfAbsent(b.source(), s -> new ArrayList<>()).add(b.tokens()));
          return key == null ? Collections.emptyIterator() : List.of(new Tuple2<>(key, bySource)).iterator();
        }, true);
  }

  private record BlockRow(String source, long id, int[] tokens) implements Serializable {}
}
