package dept.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Runs a Zeppelin note's SQL on real outputs: DeptCliTest runs every pipeline note on the shared
 * sample pipeline, StudyTest the study's note on its own output.
 */
public final class ZeppelinNotes {

  /** The note over `dept study`'s results, which StudyTest runs on its own output. */
  public static final Path STUDY_NOTE = Path.of("../notebooks/07-study.zpln");

  private static final Pattern PREFIX = Pattern.compile("\\$output/([^$\"]*)\\$name");
  private static final Pattern VIEWS = Pattern.compile("for \\(name <- Seq\\(([^)]*)\\)\\)");

  private ZeppelinNotes() {}

  /** Registers the note's views over {@code out} and runs each of its SQL paragraphs: every one must return rows. */
  public static void runNote(Path file, Path out, SparkSession spark) throws IOException {
    JsonNode note = new ObjectMapper().readTree(Files.readString(file));
    assertEquals("spark", note.get("defaultInterpreterGroup").asText());

    List<String> views = new ArrayList<>();
    List<String> prefixes = new ArrayList<>();
    List<String> queries = new ArrayList<>();
    for (JsonNode p : note.get("paragraphs")) {
      String text = p.get("text").asText();
      assertFalse(p.get("id").asText().isEmpty());
      if (text.startsWith("%spark.sql")) {
        queries.add(text.substring("%spark.sql".length()).strip());
      } else if (text.startsWith("%spark\n")) {
        Matcher m = VIEWS.matcher(text);
        assertTrue(m.find(), "the %spark paragraph registers views: " + text);
        Matcher prefix = PREFIX.matcher(text);
        if (prefix.find()) {
          prefixes.add(prefix.group(1)); // e.g. train/*/ or evaluation/
        }
        for (String v : m.group(1).split(",")) {
          views.add(v.strip().replace("\"", ""));
        }
      } else {
        assertTrue(text.startsWith("%md"), "unexpected interpreter: " + text);
      }
    }
    assertFalse(views.isEmpty(), file + " registers no view");
    assertTrue(queries.size() >= 4, file + " has few queries");
    // Some notes read below the output root: train/*/<name>, evaluation/<name>.
    for (String v : views) {
      spark.read().parquet(out + (prefixes.isEmpty() ? "/" : "/" + prefixes.get(0)) + v).createOrReplaceTempView(v);
    }
    for (String q : queries) {
      List<Row> rows = spark.sql(q).collectAsList();
      assertFalse(rows.isEmpty(), file.getFileName() + ": no rows from: " + q);
    }
  }
}
