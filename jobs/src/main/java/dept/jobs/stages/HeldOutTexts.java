package dept.jobs.stages;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dept.prep.ingest.TextNormalizer;
import dept.prep.ingest.WhitespaceMode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * A held-out corpus for {@code dept evaluate --heldout}, read by Spark (it may be larger than the
 * driver): JSONL lines with a {@code text} field, or plain text with one document per line,
 * normalised as ingest does. A bad line is an error that names the line, found by a Spark job and
 * raised on the driver before any scoring, not a silent skip.
 */
final class HeldOutTexts {

  private static final StructType PARSED = new StructType()
      .add("line", DataTypes.LongType, false)
      .add("text", DataTypes.StringType, true)
      .add("error", DataTypes.StringType, true);

  private HeldOutTexts() {}

  /**
   * The corpus's documents, {@code line} (1-based, in the file) and {@code text} (normalised,
   * non-empty), in file order; parsed once and persisted, since every variant reads them: the
   * caller unpersists when done.
   */
  static Dataset<Row> read(SparkSession spark, String path) {
    JavaRDD<Row> parsed = spark.read().text(path).javaRDD().zipWithIndex().mapPartitions(lines -> {
      ObjectMapper json = new ObjectMapper();
      TextNormalizer normalizer = new TextNormalizer(WhitespaceMode.COLLAPSE);
      List<Row> out = new ArrayList<>();
      lines.forEachRemaining(l -> out.add(parse(l._1().getString(0), l._2() + 1, json, normalizer)));
      return out.iterator();
    });
    Dataset<Row> rows = spark.createDataFrame(parsed, PARSED).persist(StorageLevel.MEMORY_AND_DISK());
    List<Row> bad = rows.where(col("error").isNotNull()).orderBy("line").select("line", "error").takeAsList(1);
    if (!bad.isEmpty()) {
      rows.unpersist();
      throw new IllegalArgumentException(path + ":" + bad.get(0).getLong(0) + ": " + bad.get(0).getString(1));
    }
    Dataset<Row> texts = rows.where(col("text").isNotNull().and(col("text").notEqual(""))).select("line", "text");
    if (texts.isEmpty()) {
      rows.unpersist();
      throw new IllegalArgumentException(path + ": no documents");
    }
    return texts;
  }

  private static Row parse(String raw, long line, ObjectMapper json, TextNormalizer normalizer) {
    String stripped = raw.strip();
    if (stripped.isEmpty()) {
      return RowFactory.create(line, null, null);
    }
    String text = stripped;
    if (stripped.startsWith("{")) {
      try {
        JsonNode node = json.readTree(stripped).get("text");
        if (node == null || !node.isTextual()) {
          return RowFactory.create(line, null, "no string field \"text\"");
        }
        text = node.asText();
      } catch (IOException e) {
        return RowFactory.create(line, null, "not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
      }
    }
    return RowFactory.create(line, normalizer.normalize(text), null);
  }
}
