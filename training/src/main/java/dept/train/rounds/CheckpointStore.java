package dept.train.rounds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dept.prep.io.AtomicOutput;
import dept.prep.io.HadoopFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A run's checkpoints on any Hadoop file system: {@code round-NNNNN/} directories, each with its
 * files and a {@code manifest.json} (SHA-256 and size per file) written last, so a checkpoint torn
 * by a killed driver is recognised and the previous one used; and per-source local state
 * ({@code state/<source>/round-NNNNN.bin}), versioned by round so that a resumed run reads exactly
 * the state an uninterrupted run would have.
 */
public final class CheckpointStore {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MANIFEST = "manifest.json";

  /** A complete checkpoint. */
  public record Checkpoint(int round, Map<String, byte[]> files) {}

  private final Path root;
  private final Configuration conf;

  public CheckpointStore(String root, Configuration conf) {
    this.root = new Path(root);
    this.conf = conf;
  }

  private FileSystem fs() throws IOException {
    return root.getFileSystem(conf);
  }

  private static String roundName(int round) {
    return String.format("round-%05d", round);
  }

  /** Writes round {@code round}'s files, then its manifest, then moves the directory into place. */
  public void writeRound(int round, Map<String, byte[]> files) {
    AtomicOutput.writeDirectory(new Path(root, roundName(round)).toString(), conf, (fs, tmp) -> {
      ObjectNode manifest = JSON.createObjectNode().put("round", round);
      ObjectNode entries = manifest.putObject("files");
      for (Map.Entry<String, byte[]> f : new TreeMap<>(files).entrySet()) {
        HadoopFiles.writeBytes(fs, new Path(tmp, f.getKey()), f.getValue());
        entries.putObject(f.getKey()).put("sha256", sha256(f.getValue())).put("bytes", f.getValue().length);
      }
      HadoopFiles.writeBytes(fs, new Path(tmp, MANIFEST), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
    });
  }

  /** The newest checkpoint whose manifest and checksums are intact; older ones are tried in turn. */
  public Optional<Checkpoint> latestComplete() {
    try {
      FileSystem fs = fs();
      if (!fs.exists(root)) {
        return Optional.empty();
      }
      FileStatus[] dirs = fs.listStatus(root, p -> p.getName().startsWith("round-"));
      Arrays.sort(dirs, (a, b) -> b.getPath().getName().compareTo(a.getPath().getName()));
      for (FileStatus dir : dirs) {
        Optional<Checkpoint> c = readVerified(fs, dir.getPath());
        if (c.isPresent()) {
          return c;
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoints under " + root, e);
    }
  }

  private static Optional<Checkpoint> readVerified(FileSystem fs, Path dir) throws IOException {
    Path manifestPath = new Path(dir, MANIFEST);
    if (!fs.exists(manifestPath)) {
      return Optional.empty();
    }
    JsonNode manifest;
    try {
      manifest = JSON.readTree(HadoopFiles.readBytes(fs, manifestPath));
    } catch (IOException e) {
      return Optional.empty();
    }
    Map<String, byte[]> files = new TreeMap<>();
    for (var it = manifest.path("files").fields(); it.hasNext(); ) {
      var entry = it.next();
      Path p = new Path(dir, entry.getKey());
      if (!fs.exists(p)) {
        return Optional.empty();
      }
      byte[] bytes;
      try {
        bytes = HadoopFiles.readBytes(fs, p);
      } catch (IOException torn) { // e.g. the local file system's own CRC no longer matches
        return Optional.empty();
      }
      if (!sha256(bytes).equals(entry.getValue().path("sha256").asText())) {
        return Optional.empty();
      }
      files.put(entry.getKey(), bytes);
    }
    return Optional.of(new Checkpoint(manifest.path("round").asInt(), files));
  }

  /** Deletes every checkpoint and source state of the run (a fresh start). */
  public void clear() {
    try {
      FileSystem fs = fs();
      if (fs.exists(root)) {
        fs.delete(root, true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clear " + root, e);
    }
  }

  /**
   * Drops what a resume from round {@code round}'s checkpoint can no longer need: older
   * checkpoints, and each source's states older than its newest one at or before {@code round}.
   */
  public void prune(int round) {
    try {
      FileSystem fs = fs();
      for (FileStatus dir : fs.listStatus(root, p -> p.getName().startsWith("round-"))) {
        if (dir.getPath().getName().compareTo(roundName(round)) < 0) {
          fs.delete(dir.getPath(), true);
        }
      }
      Path state = new Path(root, "state");
      if (fs.exists(state)) {
        pruneStates(fs, state, roundName(round) + ".bin");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prune " + root, e);
    }
  }

  private static void pruneStates(FileSystem fs, Path dir, String limit) throws IOException {
    String keep = null;
    for (FileStatus f : fs.listStatus(dir)) {
      String name = f.getPath().getName();
      if (f.isDirectory()) {
        pruneStates(fs, f.getPath(), limit);
      } else if (name.startsWith("round-") && name.compareTo(limit) <= 0 && (keep == null || name.compareTo(keep) > 0)) {
        keep = name;
      }
    }
    if (keep == null) {
      return;
    }
    for (FileStatus f : fs.listStatus(dir, p -> p.getName().startsWith("round-"))) {
      if (f.isFile() && f.getPath().getName().compareTo(keep) < 0) {
        fs.delete(f.getPath(), false);
      }
    }
  }

  /** Saves a source's local state after {@code round} (atomically); {@code source} may be a path such as {@code en/replica-0}. */
  public void writeSourceState(String source, int round, byte[] state) {
    writeSourceState(source, round, out -> out.write(state));
  }

  /** As {@link #writeSourceState(String, int, byte[])}, streamed: a state of any size. */
  public void writeSourceState(String source, int round, AtomicOutput.StreamContent state) {
    Path dir = new Path(new Path(root, "state"), source);
    AtomicOutput.writeFile(new Path(dir, roundName(round) + ".bin").toString(), conf, state);
  }

  /** Reads a state file from its stream. */
  public interface StateReader<T> {
    T read(java.io.InputStream in) throws IOException;
  }

  /** The newest state of {@code source} saved after a round <= {@code round}, if any. */
  public Optional<byte[]> readSourceState(String source, int round) {
    return readSourceState(source, round, java.io.InputStream::readAllBytes);
  }

  /** As {@link #readSourceState(String, int)}, read from the file's stream by {@code reader}. */
  public <T> Optional<T> readSourceState(String source, int round, StateReader<T> reader) {
    try {
      FileSystem fs = fs();
      Path dir = new Path(new Path(root, "state"), source);
      if (!fs.exists(dir)) {
        return Optional.empty();
      }
      String limit = roundName(round) + ".bin";
      FileStatus best = null;
      for (FileStatus f : fs.listStatus(dir, p -> p.getName().startsWith("round-"))) {
        String name = f.getPath().getName();
        if (name.compareTo(limit) <= 0 && (best == null || name.compareTo(best.getPath().getName()) > 0)) {
          best = f;
        }
      }
      if (best == null) {
        return Optional.empty();
      }
      try (java.io.InputStream in = fs.open(best.getPath())) {
        return Optional.of(reader.read(in));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the state of " + source, e);
    }
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
