package dept.prep.pack;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Embedding parameters each DEPT variant holds (float32, input table tied to the output): STD one
 * global table; GLOB a full global table per source; TRIM per source the global rows its data
 * uses; SPEC per source its own vocabulary.
 */
public final class EmbeddingMemory {

  /** One variant's rows and bytes for one source, or for all ({@code source = "total"}). */
  public record Row(String variant, String source, long rows, long bytes) {}

  private EmbeddingMemory() {}

  public static List<Row> of(
      Map<String, Integer> sourceVocab, int globalVocab, Map<String, Long> globalRowsUsed, int dModel) {
    long rowBytes = 4L * dModel;
    List<Row> rows = new ArrayList<>();
    rows.add(new Row("STD", "total", globalVocab, globalVocab * rowBytes));
    long glob = 0;
    long trim = 0;
    long spec = 0;
    for (String s : sourceVocab.keySet()) {
      long used = globalRowsUsed.getOrDefault(s, 0L);
      rows.add(new Row("GLOB", s, globalVocab, globalVocab * rowBytes));
      rows.add(new Row("TRIM", s, used, used * rowBytes));
      rows.add(new Row("SPEC", s, sourceVocab.get(s), sourceVocab.get(s) * rowBytes));
      glob += globalVocab;
      trim += used;
      spec += sourceVocab.get(s);
    }
    rows.add(new Row("GLOB", "total", glob, glob * rowBytes));
    rows.add(new Row("TRIM", "total", trim, trim * rowBytes));
    rows.add(new Row("SPEC", "total", spec, spec * rowBytes));
    return rows;
  }
}
