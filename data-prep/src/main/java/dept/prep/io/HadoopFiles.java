package dept.prep.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Small text files on any Hadoop file system (local, hdfs://, s3a://), written atomically. */
public final class HadoopFiles {

  private HadoopFiles() {}

  /** The whole content of {@code p} (no temporary file: callers place it atomically themselves). */
  public static byte[] readBytes(FileSystem fs, Path p) throws IOException {
    try (InputStream in = fs.open(p)) {
      return in.readAllBytes();
    }
  }

  /** Creates or overwrites {@code p} with {@code bytes}. */
  public static void writeBytes(FileSystem fs, Path p, byte[] bytes) throws IOException {
    try (OutputStream out = fs.create(p, true)) {
      out.write(bytes);
    }
  }

  public static String read(String path, Configuration conf) {
    Path p = new Path(path);
    try (InputStream in = p.getFileSystem(conf).open(p)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (java.io.FileNotFoundException e) {
      throw new IllegalArgumentException("missing file: " + path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /** Writes {@code text} to {@code path} through a temporary sibling and a rename. */
  public static void write(String path, String text, Configuration conf) {
    writeAll(new Path(path).getParent().toString(), Map.of(new Path(path).getName(), text), conf, false);
  }

  /**
   * Writes a directory of text files as one unit: all files go into a temporary sibling that then
   * replaces {@code dir}. With {@code replaceDir} false, files are moved in one by one instead.
   */
  public static void writeAll(String dir, Map<String, String> files, Configuration conf, boolean replaceDir) {
    Path target = new Path(dir);
    try {
      FileSystem fs = target.getFileSystem(conf);
      Path tmp = new Path(target.getParent(), "._tmp-" + target.getName() + "-" + UUID.randomUUID());
      for (Map.Entry<String, String> f : files.entrySet()) {
        try (OutputStream out = fs.create(new Path(tmp, f.getKey()), false)) {
          out.write(f.getValue().getBytes(StandardCharsets.UTF_8));
        }
      }
      if (replaceDir) {
        AtomicOutput.replace(fs, tmp, target);
      } else {
        fs.mkdirs(target);
        for (String name : files.keySet()) {
          AtomicOutput.replace(fs, new Path(tmp, name), new Path(target, name));
        }
        fs.delete(tmp, true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir, e);
    }
  }
}
