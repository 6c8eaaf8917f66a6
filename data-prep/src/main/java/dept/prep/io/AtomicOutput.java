package dept.prep.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;

/**
 * Every output (dataset, directory of files, single file) is written so that a killed job leaves
 * either the previous complete output or none that looks complete: it is written to a hidden
 * sibling, which then replaces the target by rename, and a directory's {@code _SUCCESS} marker is
 * created last. On an object store (s3a) a rename is a copy of many objects, not atomic, so the
 * marker, not the directory, is the contract: readers take a directory without {@code _SUCCESS}
 * as absent ({@link #isComplete}).
 */
public final class AtomicOutput {

  private static final String MARKER = "_SUCCESS";

  /** Writes an output's content under a hidden temporary path (a file or a directory). */
  @FunctionalInterface
  public interface Content {
    void writeTo(FileSystem fs, Path tmp) throws IOException;
  }

  /** Writes a file's bytes to a stream (large files never pass through one array). */
  public interface StreamContent {
    void writeTo(java.io.OutputStream out) throws IOException;
  }

  private AtomicOutput() {}

  public static void writeParquet(Dataset<Row> data, String target, Configuration conf, String... partitionBy) {
    writeParquet(data, target, conf, Map.of(), partitionBy);
  }

  /** As {@link #writeParquet(Dataset, String, Configuration, String...)} with writer options (e.g. {@code parquet.block.size}). */
  public static void writeParquet(
      Dataset<Row> data, String target, Configuration conf, Map<String, String> options, String... partitionBy) {
    commit(target, conf, (fs, tmp) ->
        data.write().mode(SaveMode.ErrorIfExists).options(options).partitionBy(partitionBy).parquet(tmp.toString()));
  }

  /** Replaces the file {@code target} with {@code bytes} whole: a reader sees the old content or the new, never part of it. */
  public static void writeFile(String target, byte[] bytes, Configuration conf) {
    commit(target, conf, (fs, tmp) -> HadoopFiles.writeBytes(fs, tmp, bytes));
  }

  /** As {@link #writeFile(String, byte[], Configuration)}, streamed. */
  public static void writeFile(String target, Configuration conf, StreamContent content) {
    commit(target, conf, (fs, tmp) -> {
      try (java.io.OutputStream out = fs.create(tmp, true)) {
        content.writeTo(out);
      }
    });
  }

  /** Replaces the directory {@code target} with what {@code content} writes into an empty one; {@code _SUCCESS} last. */
  public static void writeDirectory(String target, Configuration conf, Content content) {
    commit(target, conf, (fs, tmp) -> {
      fs.mkdirs(tmp);
      content.writeTo(fs, tmp);
      fs.create(new Path(tmp, MARKER), true).close();
    });
  }

  /** Writes {@code content} to a hidden sibling of {@code target} and moves it over; a failed write leaves no temporary behind. */
  private static void commit(String target, Configuration conf, Content content) {
    Path dest = new Path(target);
    Path tmp = new Path(dest.getParent(), "._tmp-" + dest.getName() + "-" + UUID.randomUUID());
    FileSystem fs;
    try {
      fs = dest.getFileSystem(conf);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + target, e);
    }
    try {
      content.writeTo(fs, tmp);
      replace(fs, tmp, dest);
    } catch (IOException e) {
      discard(fs, tmp, e);
      throw new UncheckedIOException("could not write " + target, e);
    } catch (RuntimeException e) {
      discard(fs, tmp, e);
      throw e;
    }
  }

  private static void discard(FileSystem fs, Path tmp, Exception failure) {
    try {
      fs.delete(tmp, true);
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }

  /**
   * Moves a finished {@code tmp} over {@code dest}, removing the previous output first; a
   * directory's {@code _SUCCESS} is withheld during the move and created after it.
   */
  private static void replace(FileSystem fs, Path tmp, Path dest) throws IOException {
    Path marker = new Path(tmp, MARKER);
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
      fs.create(new Path(dest, MARKER), true).close();
    }
  }

  /** Whether {@code path} holds a complete dataset (Spark wrote its {@code _SUCCESS} marker). */
  public static boolean isComplete(String path, Configuration conf) {
    Path p = new Path(path, MARKER);
    try {
      return p.getFileSystem(conf).exists(p);
    } catch (IOException e) {
      throw new UncheckedIOException("could not check " + path, e);
    }
  }
}
