package dept.prep.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The NIO local file system writes what Hadoop's writes, permission bits and checksums included, without forking. */
class NioLocalFileSystemTest {

  @TempDir java.nio.file.Path dir;

  private static FileSystem open(FileSystem fs) throws IOException {
    fs.initialize(java.net.URI.create("file:///"), new Configuration());
    return fs;
  }

  /** Files and directories with explicit permissions, then the listing of what is on disk: name, mode, bytes. */
  private List<String> write(FileSystem fs, java.nio.file.Path root) throws IOException {
    Path base = new Path(root.toUri());
    assertTrue(fs.mkdirs(new Path(base, "a/b"), new FsPermission((short) 0750)));
    try (FSDataOutputStream out = fs.create(new Path(base, "a/b/data.txt"), new FsPermission((short) 0640), true, 4096,
        (short) 1, 1 << 20, null)) {
      out.write("hello, parquet".getBytes(StandardCharsets.UTF_8));
    }
    try (FSDataOutputStream out = fs.create(new Path(base, "a/plain.txt"))) {
      out.write(new byte[] {1, 2, 3});
    }
    fs.setPermission(new Path(base, "a/plain.txt"), new FsPermission((short) 0604));
    List<String> listing = new ArrayList<>();
    try (var files = Files.walk(root)) {
      for (java.nio.file.Path p : files.sorted().toList()) {
        listing.add(root.relativize(p) + " " + PosixFilePermissions.toString(Files.getPosixFilePermissions(p))
            + (Files.isRegularFile(p) ? " " + java.util.HexFormat.of().formatHex(Files.readAllBytes(p)) : ""));
      }
    }
    return listing;
  }

  @Test
  void writesTheSameFilesModesAndChecksumsAsHadoopsOwn() throws IOException {
    List<String> hadoop = write(open(new LocalFileSystem()), Files.createDirectories(dir.resolve("hadoop")));
    List<String> nio = write(open(new NioLocalFileSystem()), Files.createDirectories(dir.resolve("nio")));
    assertEquals(hadoop, nio);
    assertTrue(nio.stream().anyMatch(l -> l.startsWith("a/b/data.txt rw-r----- ")), String.join("\n", nio));
    assertTrue(nio.stream().anyMatch(l -> l.startsWith("a/b/.data.txt.crc ")), "checksums are still written");
    assertTrue(nio.stream().anyMatch(l -> l.startsWith("a/plain.txt rw----r-- ")), String.join("\n", nio));
    assertTrue(nio.contains("a/b rwxr-x---"), String.join("\n", nio));
  }

  @Test
  void createsFilesWithoutForkingAChmodPerFile() throws IOException {
    long hadoop = forksWhileWriting(open(new LocalFileSystem()), Files.createDirectories(dir.resolve("hadoop")));
    long nio = forksWhileWriting(open(new NioLocalFileSystem()), Files.createDirectories(dir.resolve("nio")));
    // The machine-wide fork counter: Hadoop's own forks at least once per file; other processes add noise.
    assertTrue(hadoop >= 100, "Hadoop's local file system forks chmod per file: " + hadoop + " forks");
    assertTrue(nio < hadoop / 4, "forks while writing 100 files: " + nio + " (Hadoop's own: " + hadoop + ")");
  }

  private static long forksWhileWriting(FileSystem fs, java.nio.file.Path root) throws IOException {
    long before = forksSinceBoot();
    for (int i = 0; i < 100; i++) {
      try (FSDataOutputStream out = fs.create(new Path(new Path(root.toUri()), "part-" + i))) {
        out.write(i);
      }
    }
    return forksSinceBoot() - before;
  }

  /** Linux's count of processes created since boot (/proc/stat "processes"). */
  private static long forksSinceBoot() throws IOException {
    for (String line : Files.readAllLines(java.nio.file.Path.of("/proc/stat"))) {
      if (line.startsWith("processes ")) {
        return Long.parseLong(line.substring("processes ".length()).trim());
      }
    }
    throw new IllegalStateException("/proc/stat has no processes line");
  }
}
