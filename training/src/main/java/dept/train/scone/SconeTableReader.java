package dept.train.scone;

import dept.prep.io.ParquetLists;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;

/**
 * Loads one table of {@code scone/<variant>/fgram_embeddings} ({@code table=<tokenizer>/}) into an
 * {@link FgramEmbeddingStore} with Parquet's own reader, row group by row group, so inference
 * needs neither Spark nor the heap to hold the table. Reads any Hadoop filesystem (file:, s3a:).
 */
public final class SconeTableReader {

  private SconeTableReader() {}

  /**
   * {@link #load} for a model with {@code vocabSize} token rows of width {@code dim}.
   *
   * @throws IllegalArgumentException naming the table when its shape is not the model's (a table
   *     precomputed from another run)
   */
  public static FgramEmbeddingStore loadFor(String tableDir, Configuration conf, int vocabSize, int dim) {
    FgramEmbeddingStore table = load(tableDir, conf);
    if (table.vocabSize() != vocabSize || table.dim() != dim) {
      table.close();
      throw new IllegalArgumentException("the SCONE table " + tableDir + " has " + table.vocabSize() + " tokens x " + table.dim()
          + " but the model has " + vocabSize + " x " + dim + ": run `dept scone-precompute` again");
    }
    return table;
  }

  public static FgramEmbeddingStore load(String tableDir, Configuration conf) {
    Path dir = new Path(tableDir);
    try {
      FileSystem fs = dir.getFileSystem(conf);
      if (!fs.exists(dir)) {
        throw new IllegalArgumentException(tableDir + " does not exist: run `dept scone-precompute` first");
      }
      List<Path> files = new ArrayList<>();
      RemoteIterator<LocatedFileStatus> it = fs.listFiles(dir, false);
      while (it.hasNext()) {
        FileStatus f = it.next();
        if (f.getPath().getName().endsWith(".parquet")) {
          files.add(f.getPath());
        }
      }
      files.sort(null);
      FgramEmbeddingStore.Builder builder = null;
      for (Path file : files) {
        try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), file).withConf(conf).build()) {
          for (Group g = reader.read(); g != null; g = reader.read()) {
            int[] key = ParquetLists.ints(g.getGroup("ngram", 0));
            float[] embedding = ParquetLists.floats(g.getGroup("embedding", 0));
            if (builder == null) {
              builder = new FgramEmbeddingStore.Builder(embedding.length);
            }
            builder.add(key, embedding);
          }
        } catch (RuntimeException e) {
          throw new IllegalArgumentException("bad row in SCONE table file " + file + ": " + e.getMessage(), e);
        }
      }
      if (builder == null) {
        throw new IllegalArgumentException(tableDir + " holds no rows");
      }
      return builder.build();
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the SCONE table " + tableDir, e);
    }
  }
}
