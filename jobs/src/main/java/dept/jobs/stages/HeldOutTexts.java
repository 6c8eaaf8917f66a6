package dept.jobs.stages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dept.prep.ingest.TextNormalizer;
import dept.prep.ingest.WhitespaceMode;
import dept.prep.io.HadoopFiles;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/**
 * A held-out corpus for {@code dept evaluate --heldout}: JSONL lines with a {@code text} field, or
 * plain text with one document per line, normalised as ingest does. Bad lines are an error that
 * names the line, not a silent skip.
 */
final class HeldOutTexts {

  private HeldOutTexts() {}

  static List<String> read(String path, Configuration conf) {
    ObjectMapper json = new ObjectMapper();
    TextNormalizer normalizer = new TextNormalizer(WhitespaceMode.COLLAPSE);
    List<String> texts = new ArrayList<>();
    String[] lines = HadoopFiles.read(path, conf).split("\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty()) {
        continue;
      }
      String text = line;
      if (line.startsWith("{")) {
        try {
          JsonNode node = json.readTree(line).get("text");
          if (node == null || !node.isTextual()) {
            throw new IllegalArgumentException(path + ":" + (i + 1) + ": no string field \"text\"");
          }
          text = node.asText();
        } catch (IOException e) {
          throw new IllegalArgumentException(path + ":" + (i + 1) + ": not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
      }
      String cleaned = normalizer.normalize(text);
      if (!cleaned.isEmpty()) {
        texts.add(cleaned);
      }
    }
    if (texts.isEmpty()) {
      throw new IllegalArgumentException(path + ": no documents");
    }
    return texts;
  }
}
