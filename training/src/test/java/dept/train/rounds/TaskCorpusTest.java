package dept.train.rounds;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.prep.SparkTestSession;
import dept.prep.io.HadoopConfig;
import dept.prep.pack.TokenArrays;
import dept.prep.pack.TokenizeJob;
import dept.train.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** What a task knows of its blocks before any round: counts per source and token, and blocks it cannot read by position refused by name. */
class TaskCorpusTest {

  private static final SparkSession SPARK = SparkTestSession.get();

  private static Dataset<Row> blocks(String source, long... ids) {
    List<Row> rows = new ArrayList<>();
    for (long id : ids) {
      rows.add(RowFactory.create(source, source, "train", id, TokenArrays.boxed(new int[] {3, (int) (4 + id % 3), 1})));
    }
    rows.add(RowFactory.create(source, source, "val", 0L, TokenArrays.boxed(new int[] {3, 9, 9})));
    return SPARK.createDataFrame(rows, TokenizeJob.BLOCKS_SCHEMA);
  }

  private static RoundSetup setup(String variant, int replicas) {
    TrainConfig train = RoundFixture.base(variant, 1).replicas(replicas).build();
    return new RoundSetup(Variant.parse(variant), train, new ModelConfig(8, 1, 2, 4), 2, "unused", new HadoopConfig(new Configuration()),
        Map.of("en", 10, "global", 10));
  }

  @Test
  void countsEachReplicasBlocksAndTheTokensTrimHolds() {
    var corpora = TaskCorpus.of(blocks("en", 0, 1, 2, 3, 4), setup("SPEC+RTD", 2), List.of("en")).collectAsMap();
    TaskCorpus even = corpora.get(new TaskKey("en", 0));
    TaskCorpus odd = corpora.get(new TaskKey("en", 1));
    assertEquals(Map.of("en", 3), even.blocks(), "ids 0, 2, 4");
    assertEquals(Map.of("en", 2), odd.blocks(), "ids 1, 3");
    assertEquals(4L, even.blockId(2));
    assertEquals(3L, odd.blockId(1));
    // blocks 0, 2, 4 hold {3, 4, 1}, {3, 6, 1}, {3, 5, 1}; the val block is not counted.
    assertArrayEquals(new long[] {0, 3, 0, 3, 1, 1, 1, 0, 0, 0}, even.tokenCounts());
  }

  @Test
  void blocksThatAreNotNumberedOnceEachOrATaskWithoutBlocksAreRefusedByName() {
    IllegalArgumentException gap = assertThrows(IllegalArgumentException.class,
        () -> TaskCorpus.of(blocks("en", 0, 1, 3), setup("SPEC", 1), List.of("en")));
    assertTrue(gap.getMessage().contains("source 'en'") && gap.getMessage().contains("0..n-1"), gap.getMessage());
    IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
        () -> TaskCorpus.of(blocks("en", 0, 0, 2), setup("SPEC", 1), List.of("en")));
    assertTrue(twice.getMessage().contains("once each"), twice.getMessage());
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
        () -> TaskCorpus.of(blocks("en", 0, 1, 2), setup("SPEC", 4), List.of("en")));
    assertTrue(empty.getMessage().contains("task en#3 has no train blocks"), empty.getMessage());
  }
}
