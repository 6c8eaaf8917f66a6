package dept.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Runs a Zeppelin note on real outputs as Zeppelin would, paragraph by paragraph: {@code %spark}
 * paragraphs in Scala's REPL ({@link ScalaParagraphs}), {@code %spark.sql} paragraphs through the
 * same session, each of which must return rows. DeptCliTest runs every pipeline note on the shared
 * sample pipeline, StudyTest the study's note on its own output.
 */
public final class ZeppelinNotes {

  /** The note over `dept study`'s results, which StudyTest runs on its own output. */
  public static final Path STUDY_NOTE = Path.of("../notebooks/07-study.zpln");

  /** The note's form values ({@code z.input}), shared with the JVM's one REPL as Zeppelin shares its interpreter. */
  private static final Map<String, Object> FORMS = new HashMap<>();
  private static ScalaParagraphs repl;

  private ZeppelinNotes() {}

  /** Runs every paragraph of {@code file} with its {@code output} form set to {@code out}; returns what the Scala paragraphs printed. */
  public static String runNote(Path file, Path out, SparkSession spark) throws IOException {
    JsonNode note = new ObjectMapper().readTree(Files.readString(file));
    assertEquals("spark", note.get("defaultInterpreterGroup").asText());
    FORMS.put("output", out.toString());
    int scala = 0;
    int queries = 0;
    StringBuilder printed = new StringBuilder();
    for (JsonNode p : note.get("paragraphs")) {
      String text = p.get("text").asText();
      assertFalse(p.get("id").asText().isEmpty());
      if (text.startsWith("%spark.sql")) {
        String query = text.substring("%spark.sql".length()).strip();
        List<Row> rows = spark.sql(query).collectAsList();
        assertFalse(rows.isEmpty(), file.getFileName() + ": no rows from: " + query);
        queries++;
      } else if (text.startsWith("%spark\n")) {
        printed.append(repl(spark).run(text.substring("%spark\n".length())));
        scala++;
      } else {
        assertTrue(text.startsWith("%md"), "unexpected interpreter: " + text);
      }
    }
    assertTrue(scala >= 1, file + " has no %spark paragraph");
    assertTrue(queries >= 4, file + " has few queries");
    return printed.toString();
  }

  private static synchronized ScalaParagraphs repl(SparkSession spark) {
    if (repl == null) {
      repl = new ScalaParagraphs(spark, new ScalaParagraphs.NoteContext(FORMS));
    }
    return repl;
  }
}
