package dept.prep.ingest;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One data source of the pipeline: where its documents come from and how they are cleaned.
 *
 * @param name source name, also a path component and a Parquet partition value
 * @param inputs paths or globs ({@code file:}, {@code hdfs://}, {@code s3a://} or local); a directory
 *     means its visible files
 * @param format how records are read from the inputs
 * @param textField the JSON field or Parquet column holding the document
 * @param filter field -> accepted values; a record belongs to the source when every field matches
 *     (jsonl and parquet only); lets one input feed several sources
 * @param tags free labels carried into the statistics
 * @param whitespace {@code collapse} for prose, {@code preserve} for code
 */
public record SourceSpec(
    String name,
    List<String> inputs,
    InputFormat format,
    String textField,
    Map<String, List<String>> filter,
    List<String> tags,
    WhitespaceMode whitespace)
    implements java.io.Serializable {

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]*");

  public SourceSpec {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "name must match " + NAME.pattern() + " (it becomes a path), got '" + name + "'");
    }
    if (inputs == null || inputs.isEmpty()) {
      throw new IllegalArgumentException("inputs must list at least one path or glob");
    }
    if (format == null) {
      throw new IllegalArgumentException(
          "format is required: one of jsonl, text-lines, text-files, parquet");
    }
    textField = textField == null ? "text" : textField;
    filter = filter == null ? Map.of() : new TreeMap<>(filter);
    if (!filter.isEmpty() && !format.hasFields()) {
      throw new IllegalArgumentException(
          "filter needs fields to test: only jsonl and parquet sources can filter, this one is "
              + format.name().toLowerCase().replace('_', '-'));
    }
    filter.forEach(
        (field, values) -> {
          if (values == null || values.isEmpty()) {
            throw new IllegalArgumentException("filter." + field + " must list accepted values");
          }
        });
    filter = Map.copyOf(filter);
    inputs = List.copyOf(inputs);
    tags = tags == null ? List.of() : List.copyOf(tags);
    whitespace = whitespace == null ? WhitespaceMode.COLLAPSE : whitespace;
  }

  /** Whether a record with these field values (as text; absent = null) belongs to this source. */
  public boolean accepts(Map<String, String> fields) {
    for (Map.Entry<String, List<String>> f : filter.entrySet()) {
      String value = fields.get(f.getKey());
      if (value == null || !f.getValue().contains(value)) {
        return false;
      }
    }
    return true;
  }
}
