package dept.prep;

import org.apache.spark.sql.SparkSession;

/** One quiet local[2] session per test JVM (a session takes ~4 s to start). */
public final class SparkTestSession {

  private static SparkSession session;

  private SparkTestSession() {}

  public static synchronized SparkSession get() {
    if (session == null) {
      session =
          SparkSession.builder()
              .master("local[2]")
              .appName("dept-test")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1")
              .config("spark.sql.shuffle.partitions", "4")
              .config("spark.ui.enabled", "false")
              .getOrCreate();
    }
    return session;
  }
}
