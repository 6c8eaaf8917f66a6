package dept.prep.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicOutputTest {

  /** The local file system under the scheme {@code rec:}, logging file creations and renames in order. */
  public static final class RecordingFileSystem extends RawLocalFileSystem {
    static final List<String> EVENTS = Collections.synchronizedList(new ArrayList<>());

    @Override
    public URI getUri() {
      return URI.create("rec:///");
    }

    @Override
    public String getScheme() {
      return "rec";
    }

    @Override
    public FSDataOutputStream create(Path f, boolean overwrite, int bufferSize, short replication, long blockSize,
        Progressable progress) throws IOException {
      EVENTS.add("create " + f.getParent().getName() + "/" + f.getName());
      return super.create(f, overwrite, bufferSize, replication, blockSize, progress);
    }

    @Override
    public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize, short replication,
        long blockSize, Progressable progress) throws IOException {
      EVENTS.add("create " + f.getParent().getName() + "/" + f.getName());
      return super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
      EVENTS.add("rename to " + dst.getName() + (exists(new Path(src, "_SUCCESS")) ? " with _SUCCESS" : ""));
      return super.rename(src, dst);
    }
  }

  @TempDir java.nio.file.Path dir;
  private final Configuration conf = new Configuration(false);

  @BeforeEach
  void recordingFileSystem() {
    conf.set("fs.rec.impl", RecordingFileSystem.class.getName());
    conf.setBoolean("fs.rec.impl.disable.cache", true);
    RecordingFileSystem.EVENTS.clear();
  }

  private String target(String name) {
    return "rec://" + dir.resolve(name);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void writeReport(String target, String text) {
    AtomicOutput.writeDirectory(target, conf, (fs, tmp) -> HadoopFiles.writeBytes(fs, new Path(tmp, "report.md"), utf8(text)));
  }

  private List<String> hiddenLeftovers() throws IOException {
    try (var entries = Files.list(dir)) {
      return entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
    }
  }

  @Test
  void aFailedWriteLeavesThePreviousCompleteOutputAndNoPartialTarget() throws IOException {
    writeReport(target("report"), "first");
    assertThrows(UncheckedIOException.class, () -> AtomicOutput.writeDirectory(target("report"), conf, (fs, tmp) -> {
      HadoopFiles.writeBytes(fs, new Path(tmp, "report.md"), utf8("second, half"));
      throw new IOException("disk full");
    }));
    assertEquals("first", Files.readString(dir.resolve("report/report.md")));
    assertTrue(AtomicOutput.isComplete(target("report"), conf));

    assertThrows(IllegalStateException.class, () -> AtomicOutput.writeDirectory(target("fresh"), conf, (fs, tmp) -> {
      HadoopFiles.writeBytes(fs, new Path(tmp, "report.md"), utf8("half"));
      throw new IllegalStateException("killed");
    }));
    assertFalse(Files.exists(dir.resolve("fresh")), "no partial output under the target's name");
    assertEquals(List.of(), hiddenLeftovers(), "the failed temporaries are removed");
  }

  @Test
  void theSuccessMarkerIsCreatedOnlyAfterTheRename() {
    writeReport(target("report"), "first");
    writeReport(target("report"), "second");
    List<String> events = List.copyOf(RecordingFileSystem.EVENTS);
    int rename = events.lastIndexOf("rename to report");
    assertTrue(rename >= 0, "the directory moved into place without its marker: " + events);
    assertEquals(rename + 1, events.lastIndexOf("create report/_SUCCESS"), "the marker follows the rename: " + events);
    assertTrue(AtomicOutput.isComplete(target("report"), conf));
  }

  @Test
  void aFileIsReplacedWholeAndNeverWrittenInPlace() throws IOException {
    AtomicOutput.writeFile(target("neutral.bin"), utf8("old parameters"), conf);
    AtomicOutput.writeFile(target("neutral.bin"), utf8("new"), conf);
    assertEquals("new", Files.readString(dir.resolve("neutral.bin")));
    List<String> creates = RecordingFileSystem.EVENTS.stream().filter(e -> e.startsWith("create ")).toList();
    assertFalse(creates.isEmpty());
    assertTrue(creates.stream().allMatch(e -> e.contains("/._tmp-neutral.bin-")), "only hidden siblings are written: " + creates);
    assertEquals(List.of(), hiddenLeftovers());
  }
}
