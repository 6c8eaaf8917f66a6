package dept.prep.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Expands every source's inputs (paths, globs, directories) into files on the driver, before any
 * Spark job, so that a missing path fails at once with the config key that named it. Files read by
 * several sources with the same format are grouped into one {@link FileTask}.
 */
public final class InputPlanner {

  private final Configuration hadoop;

  public InputPlanner(Configuration hadoop) {
    this.hadoop = hadoop;
  }

  /** The file tasks of all sources, in a stable order (sorted by path). */
  public List<FileTask> plan(IngestConfig config) {
    Map<List<Object>, List<SourceSpec>> byFile = new LinkedHashMap<>();
    for (int i = 0; i < config.sources().size(); i++) {
      SourceSpec source = config.sources().get(i);
      for (int j = 0; j < source.inputs().size(); j++) {
        String key = "ingest.sources[" + i + "].inputs[" + j + "]";
        for (String file : expand(source.inputs().get(j), key)) {
          byFile
              .computeIfAbsent(List.of(file, source.format(), source.textField()), k -> new ArrayList<>())
              .add(source);
        }
      }
    }
    List<FileTask> tasks = new ArrayList<>();
    byFile.forEach(
        (k, sources) ->
            tasks.add(
                new FileTask(
                    (String) k.get(0), (InputFormat) k.get(1), (String) k.get(2),
                    sources.stream().distinct().toList())));
    tasks.sort((a, b) -> a.path().compareTo(b.path()));
    return tasks;
  }

  /** The visible files a path, glob or directory names; throws naming {@code key} if none. */
  List<String> expand(String input, String key) {
    try {
      Path pattern = new Path(input);
      FileSystem fs = pattern.getFileSystem(hadoop);
      FileStatus[] matches = fs.globStatus(pattern);
      List<String> files = new ArrayList<>();
      if (matches != null) {
        for (FileStatus m : matches) {
          if (m.isDirectory()) {
            Arrays.stream(fs.listStatus(m.getPath()))
                .filter(f -> f.isFile() && isVisible(f.getPath()))
                .forEach(f -> files.add(f.getPath().toString()));
          } else {
            files.add(m.getPath().toString());
          }
        }
      }
      if (files.isEmpty()) {
        throw new dept.prep.io.InputPathException(key + ": no input file matches '" + input + "'");
      }
      files.sort(null);
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(key + ": cannot list '" + input + "': " + e.getMessage(), e);
    }
  }

  private static boolean isVisible(Path p) {
    return !p.getName().startsWith(".") && !p.getName().startsWith("_");
  }
}
