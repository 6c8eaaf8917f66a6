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
 * Writes a dataset so that a killed job leaves either the previous complete output or none: Spark
 * writes a hidden sibling directory (with its {@code _SUCCESS}), which then replaces the target by
 * rename. Readers take a directory without {@code _SUCCESS} as absent.
 */
public final class AtomicOutput {

  private AtomicOutput() {}

  public static void writeParquet(
      Dataset<Row> data, String target, Configuration conf, String... partitionBy) {
    Path dest = new Path(target);
    try {
      FileSystem fs = dest.getFileSystem(conf);
      Path tmp = new Path(dest.getParent(), "._tmp-" + dest.getName() + "-" + UUID.randomUUID());
      data.write().mode(SaveMode.ErrorIfExists).partitionBy(partitionBy).parquet(tmp.toString());
      replace(fs, tmp, dest);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + target, e);
    }
  }

  /** Moves a finished {@code tmp} over {@code dest}, removing the previous output first. */
  public static void replace(FileSystem fs, Path tmp, Path dest) throws IOException {
    if (fs.exists(dest) && !fs.delete(dest, true)) {
      throw new IOException("could not remove the previous " + dest);
    }
    if (!fs.rename(tmp, dest)) {
      throw new IOException("could not rename " + tmp + " to " + dest);
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
