package dept.prep;

import dept.prep.io.NioLocalFileSystem;
import org.apache.spark.sql.SparkSession;

/**
 * The one quiet Spark session of a test JVM, shared by every module's tests (a session takes ~4 s
 * to start): local[2] with one retry per task (the round engine's failure drills need it), four
 * shuffle partitions, no UI, {@code file:} through {@link NioLocalFileSystem} as the CLI's local sessions.
 */
public final class SparkTestSession {

  private static SparkSession session;

  private SparkTestSession() {}

  /** The live session; started again if code under test (the CLI) stopped it. */
  public static synchronized SparkSession get() {
    if (session == null || session.sparkContext().isStopped()) {
      session =
          SparkSession.builder()
              .master("local[2,2]")
              .appName("dept-test")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1")
              .config("spark.sql.shuffle.partitions", "4")
              .config("spark.ui.enabled", "false")
              .config(NioLocalFileSystem.sparkKey(), NioLocalFileSystem.class.getName())
              .getOrCreate();
    }
    return session;
  }

  /** Stops the session if one runs, so that code which starts its own (the CLI) does not run inside it. */
  public static synchronized void stop() {
    if (session != null) {
      session.stop();
      session = null;
    }
  }
}
