package dept.prep.io;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsAction;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's checksummed local file system ({@code file:}) with permissions set through java.nio
 * instead of a {@code chmod} child process. Without Hadoop's native library (not shipped in Maven
 * Central), {@link RawLocalFileSystem} forks {@code chmod} for every file and directory it creates:
 * ~1,400 processes for one sample pipeline, each a fork of a multi-GB JVM. Same files, same
 * checksums, same permission bits; registered as {@code fs.file.impl} by {@link #register}.
 */
public final class NioLocalFileSystem extends LocalFileSystem {

  /** The Hadoop key that selects the implementation of {@code file:} paths. */
  public static final String KEY = "fs.file.impl";

  public NioLocalFileSystem() {
    super(new NioRawLocalFileSystem());
  }

  /** The Spark setting that makes driver and executors use this class for {@code file:}. */
  public static String sparkKey() {
    return "spark.hadoop." + KEY;
  }

  /** The raw layer: only {@link #setPermission} differs, and only where the platform is POSIX. */
  static final class NioRawLocalFileSystem extends RawLocalFileSystem {

    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      if (!POSIX || permission.getStickyBit()) {
        super.setPermission(p, permission); // what Hadoop does (chmod) where NIO cannot say it
        return;
      }
      Files.setPosixFilePermissions(pathToFile(p).toPath(), posix(permission));
    }

    static Set<PosixFilePermission> posix(FsPermission permission) {
      Set<PosixFilePermission> bits = EnumSet.noneOf(PosixFilePermission.class);
      add(bits, permission.getUserAction(), PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.OWNER_EXECUTE);
      add(bits, permission.getGroupAction(), PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE);
      add(bits, permission.getOtherAction(), PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);
      return bits;
    }

    private static void add(Set<PosixFilePermission> bits, FsAction action, PosixFilePermission read,
        PosixFilePermission write, PosixFilePermission execute) {
      if (action.implies(FsAction.READ)) {
        bits.add(read);
      }
      if (action.implies(FsAction.WRITE)) {
        bits.add(write);
      }
      if (action.implies(FsAction.EXECUTE)) {
        bits.add(execute);
      }
    }
  }
}
