package dept.train.rounds;

import dept.prep.io.HadoopConfig;
import dept.prep.io.ParquetLists;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.filter2.predicate.FilterApi;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The tokenize stage's {@code blocks} dataset as training reads it: whole through Spark (counting,
 * validation), and a round's picks by block id from inside a task with Parquet's own reader. The
 * read goes to {@code tokenizer=<t>/source=<s>/} and keeps only pages whose block ids can match
 * (Parquet's column index; `dept tokenize` writes each file sorted by split and block id in small
 * pages), so a task decodes about its picks' pages, never its source's whole corpus.
 */
public record BlockFiles(String root, HadoopConfig hadoop) implements Serializable {

  public static BlockFiles at(String root, Configuration conf) {
    return new BlockFiles(root, new HadoopConfig(conf));
  }

  public Dataset<Row> dataset(SparkSession spark) {
    return spark.read().parquet(root);
  }

  /**
   * What a read found: each requested block's tokens by id, and the rows Parquet decoded to find
   * them (the pages that could hold them).
   */
  record Found(Map<Long, int[]> blocks, long rowsScanned) {}

  /** Blocks {@code ids} of one tokenizer's encoding of one source's split; every id must exist once. */
  Found read(String tokenizer, String source, String split, Set<Long> ids) {
    if (ids.isEmpty()) {
      return new Found(Map.of(), 0);
    }
    Path dir = new Path(root, "tokenizer=" + tokenizer + "/source=" + source);
    Configuration conf = hadoop.get();
    // Prunes row groups and pages only: rows are checked here, against a hash set, because
    // Parquet's record-level filter updates every leaf of the predicate for every value (H x B
    // leaves x the rows scanned).
    FilterCompat.Filter pages = FilterCompat.get(FilterApi.and(
        FilterApi.eq(FilterApi.binaryColumn("split"), Binary.fromString(split)), anyOf(new ArrayList<>(new TreeSet<>(ids)), 0, ids.size())));
    Map<Long, int[]> found = new HashMap<>();
    long scanned = 0;
    for (FileStatus file : files(dir, conf)) {
      scanned += readFile(file, conf, pages, split, ids, found, source);
    }
    if (found.size() != ids.size()) {
      List<Long> missing = ids.stream().filter(id -> !found.containsKey(id)).sorted().limit(5).toList();
      throw new IllegalStateException(String.format("%s: %d of %d %s blocks of source '%s' (tokenizer %s) are missing (e.g. ids %s):"
          + " the blocks dataset changed under a running training; re-run `dept train`", dir, ids.size() - found.size(),
          ids.size(), split, source, tokenizer, missing));
    }
    return new Found(found, scanned);
  }

  /** Adds the wanted blocks of one file to {@code found}; returns the rows decoded. */
  private static long readFile(FileStatus file, Configuration conf, FilterCompat.Filter pages, String split, Set<Long> ids,
      Map<Long, int[]> found, String source) {
    long scanned = 0;
    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromStatus(file, conf),
        HadoopReadOptions.builder(conf).withRecordFilter(pages).withUseHadoopVectoredIo(true).build())) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      MessageType columns = projection(schema, file.getPath());
      reader.setRequestedSchema(columns);
      MessageColumnIO io = new ColumnIOFactory().getColumnIO(columns, schema);
      for (PageReadStore rows = reader.readNextFilteredRowGroup(); rows != null; rows = reader.readNextFilteredRowGroup()) {
        RecordReader<Group> records = io.getRecordReader(rows, new GroupRecordConverter(columns), FilterCompat.NOOP);
        for (long r = 0; r < rows.getRowCount(); r++, scanned++) {
          Group g = records.read();
          long id = g.getLong("block_id", 0);
          if (ids.contains(id) && g.getString("split", 0).equals(split)
              && found.put(id, ParquetLists.ints(g.getGroup("tokens", 0))) != null) {
            throw new IllegalStateException(file.getPath() + ": block " + id + " of source '" + source + "' (" + split
                + ") appears twice; re-run `dept tokenize`");
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not read blocks of source '" + source + "' from " + file.getPath(), e);
    } catch (RuntimeException e) {
      if (e instanceof IllegalStateException || e instanceof IllegalArgumentException) {
        throw e;
      }
      throw new IllegalStateException("could not read blocks of source '" + source + "' from " + file.getPath() + ": " + e, e);
    }
    return scanned;
  }

  /**
   * block_id equal to one of {@code ids}, as a balanced tree of equalities: Parquet's column index
   * keeps exactly the pages each one can be in (an {@code in} predicate is pruned by the set's min
   * and max only, which for a round's scattered picks keeps every page).
   */
  private static FilterPredicate anyOf(List<Long> ids, int from, int to) {
    if (to - from == 1) {
      return FilterApi.eq(FilterApi.longColumn("block_id"), ids.get(from));
    }
    int mid = (from + to) >>> 1;
    return FilterApi.or(anyOf(ids, from, mid), anyOf(ids, mid, to));
  }

  private static List<FileStatus> files(Path dir, Configuration conf) {
    try {
      FileSystem fs = dir.getFileSystem(conf);
      if (!fs.exists(dir)) {
        throw new IllegalArgumentException(dir + " does not exist: the blocks dataset must be partitioned by tokenizer and source"
            + " as `dept tokenize` writes it");
      }
      List<FileStatus> files = new ArrayList<>();
      for (FileStatus f : fs.listStatus(dir)) {
        if (f.isFile() && f.getPath().getName().endsWith(".parquet")) {
          files.add(f);
        }
      }
      files.sort(java.util.Comparator.comparing(f -> f.getPath().getName()));
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("could not list " + dir, e);
    }
  }

  private static MessageType projection(MessageType schema, Path file) {
    for (String column : List.of("split", "block_id", "tokens")) {
      if (!schema.containsField(column)) {
        throw new IllegalArgumentException(file + " has no column '" + column + "': not a blocks file written by `dept tokenize`");
      }
    }
    return new MessageType(schema.getName(), schema.getType("split"), schema.getType("block_id"), schema.getType("tokens"));
  }
}
