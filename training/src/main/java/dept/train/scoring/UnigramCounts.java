package dept.train.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * How often each token id occurs in each unit's blocks (every position), counted by a Spark
 * aggregation: at most one row per (unit, token id) reaches the driver, bounded by the vocabulary
 * size, not by the corpus.
 */
public final class UnigramCounts {

  private UnigramCounts() {}

  /**
   * @param blocks rows with {@code unit} and {@code tokens}
   * @param vocabSizes each unit's vocabulary size (ids outside [0, size) are not counted); a unit without blocks gets zeros
   */
  public static SortedMap<String, long[]> count(Dataset<Row> blocks, Map<String, Integer> vocabSizes) {
    SortedMap<String, long[]> counts = new TreeMap<>();
    vocabSizes.forEach((unit, size) -> counts.put(unit, new long[size]));
    for (Row r : blocks.select(col("unit"), explode(col("tokens")).as("token")).groupBy("unit", "token").count().collectAsList()) {
      long[] c = counts.get(r.getString(0));
      int token = r.getInt(1);
      if (c != null && token >= 0 && token < c.length) {
        c[token] += r.getLong(2);
      }
    }
    return counts;
  }
}
