package dept.prep.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;

/**
 * Writes a dataset so that a killed job leaves either the previous complete output or none that
 * looks complete: Spark writes a hidden sibling directory, which then replaces the target by
 * rename, and the {@code _SUCCESS} marker is created last. On an object store (s3a) a rename is a
 * copy of many objects, not atomic, so the marker, not the directory, is the contract: readers
 * take a directory without {@code _SUCCESS} as absent ({@link #isComplete}).
 */
public final class AtomicOutput {

  private AtomicOutput() {}

  public static void writeParquet(
      Dataset<Row> data, String target, Configuration conf, String... partitionBy) {
    writeParquet(data, target, conf, java.util.Map.of(), partitionBy);
  }

  /** As {@link #writeParquet(Dataset, String, Configuration, String...)} with writer options (e.g. {@code parquet.block.size}). */
  public static void writeParquet(
      Dataset<Row> data, String target, Configuration conf, java.util.Map<String, String> options, String... partitionBy) {
    Path dest = new Path(target);
    try {
      FileSystem fs = dest.getFileSystem(conf);
      Path tmp = new Path(dest.getParent(), "._tmp-" + dest.getName() + "-" + UUID.randomUUID());
      data.write().mode(SaveMode.ErrorIfExists).options(options).partitionBy(partitionBy).parquet(tmp.toString());
      replace(fs, tmp, dest);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + target, e);
    }
  }

  /**
   * Moves a finished {@code tmp} over {@code dest}, removing the previous output first; a
   * directory's {@code _SUCCESS} is withheld during the move and created after it.
   */
  public static void replace(FileSystem fs, Path tmp, Path dest) throws IOException {
    Path marker = new Path(tmp, "_SUCCESS");
    boolean markedDir = fs.getFileStatus(tmp).isDirectory() && fs.exists(marker);
    if (markedDir && !fs.delete(marker, false)) {
      throw new IOException("could not withhold " + marker);
    }
    if (fs.exists(dest) && !fs.delete(dest, true)) {
      throw new IOException("could not remove the previous " + dest);
    }
    if (!fs.rename(tmp, dest)) {
      throw new IOException("could not rename " + tmp + " to " + dest);
    }
    if (markedDir) {
      fs.create(new Path(dest, "_SUCCESS"), true).close();
    }
  }

  /** Whether {@code path} holds a complete dataset (Spark wrote its {@code _SUCCESS} marker). */
  public static boolean isComplete(String path, Configuration conf) {
    Path p = new Path(path, "_SUCCESS");
    try {
      return p.getFileSystem(conf).exists(p);
    } catch (IOException e) {
      throw new UncheckedIOException("could not check " + path, e);
    }
  }
}
