package dept.prep.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.prep.SparkTestSession;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Shards split one input into disjoint random sources (the study's homogeneous control): every
 * record falls in exactly one of 8 shards, about an eighth each, and the JSON lines path agrees
 * with the Parquet path's Spark expression record by record.
 */
class SourceShardTest {

  private static SourceSpec shard(int index) {
    return new SourceSpec("en-" + index, List.of("x"), InputFormat.JSONL, null, Map.of("lang", List.of("en")), null, null,
        new SourceSpec.Shard(8, index));
  }

  @Test
  void everyRecordFallsInExactlyOneShardAndSparkAgrees() {
    List<Row> rows = new ArrayList<>();
    int[] sizes = new int[8];
    for (int i = 0; i < 4000; i++) {
      String text = "document " + i + " — ünïcode " + (i * 7919);
      int holders = 0;
      for (int s = 0; s < 8; s++) {
        if (shard(s).accepts(Map.of("lang", "en"), text)) {
          holders++;
          sizes[s]++;
          rows.add(RowFactory.create(text, s));
        }
      }
      assertEquals(1, holders, text);
    }
    for (int size : sizes) {
      assertTrue(size > 400 && size < 600, "about 500 of 4000 each: " + java.util.Arrays.toString(sizes));
    }
    StructType schema = new StructType().add("text", DataTypes.StringType).add("shard", DataTypes.IntegerType);
    long disagree = SparkTestSession.get().createDataFrame(rows, schema)
        .where("pmod(xxhash64(text), 8) != shard").count();
    assertEquals(0, disagree, "the Parquet path's expression puts every record in the same shard");
    assertTrue(!shard(0).accepts(Map.of("lang", "de"), "x".repeat(3)) , "the filter still applies");
    assertTrue(new SourceSpec.Shard(8, 3).holds("x".getBytes(StandardCharsets.UTF_8)) == shard(3).accepts(Map.of("lang", "en"), "x"));
  }

  @Test
  void badShardsAndFormatsWithoutFieldsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new SourceSpec.Shard(8, 8));
    assertThrows(IllegalArgumentException.class, () -> new SourceSpec.Shard(1, 0));
    assertThrows(IllegalArgumentException.class, () -> new SourceSpec("t", List.of("x"), InputFormat.TEXT_LINES, null, null, null, null,
        new SourceSpec.Shard(2, 0)));
  }
}
