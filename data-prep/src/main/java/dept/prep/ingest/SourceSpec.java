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
 * @param shard when set, only the records whose text hashes to shard {@code index} of {@code of}
 *     (xxHash64 of the raw text's UTF-8 bytes, Spark's seed): random, disjoint shards of one input,
 *     e.g. 8 homogeneous sources of one language (jsonl and parquet only)
 */
public record SourceSpec(
    String name,
    List<String> inputs,
    InputFormat format,
    String textField,
    Map<String, List<String>> filter,
    List<String> tags,
    WhitespaceMode whitespace,
    Shard shard)
    implements java.io.Serializable {

  /** Shard {@code index} of {@code of} (0-based). */
  public record Shard(int of, int index) implements java.io.Serializable {
    public Shard {
      if (of < 2 || index < 0 || index >= of) {
        throw new IllegalArgumentException("shard: need of >= 2 and 0 <= index < of, got of " + of + ", index " + index);
      }
    }

    /** Whether text with these UTF-8 bytes falls in this shard. */
    public boolean holds(byte[] utf8) {
      long h = org.apache.spark.sql.catalyst.expressions.XXH64.hashUnsafeBytes(utf8, org.apache.spark.unsafe.Platform.BYTE_ARRAY_OFFSET,
          utf8.length, SEED);
      return Math.floorMod(h, (long) of) == index;
    }

    /** Spark's {@code xxhash64} seed, so that a Parquet column filtered in SQL falls in the same shards. */
    public static final long SEED = 42L;
  }

  public SourceSpec(String name, List<String> inputs, InputFormat format, String textField, Map<String, List<String>> filter,
      List<String> tags, WhitespaceMode whitespace) {
    this(name, inputs, format, textField, filter, tags, whitespace, null);
  }

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
    if (shard != null && !format.hasFields()) {
      throw new IllegalArgumentException("shard needs records with a text field: only jsonl and parquet sources can shard");
    }
  }

  /** Whether a record with these field values and raw text belongs to this source (its filter and its shard). */
  public boolean accepts(Map<String, String> fields, String text) {
    return accepts(fields) && (shard == null || text == null || shard.holds(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
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
