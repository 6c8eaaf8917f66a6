package dept.jobs.run;

import dept.jobs.config.SparkSettings;
import dept.prep.io.NioLocalFileSystem;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** Starts the one Spark session of a CLI run; under spark-submit its settings take precedence. */
public final class SparkSessions {

  private SparkSessions() {}

  public static SparkSession start(SparkSettings settings, String appName) {
    SparkConf submitted = new SparkConf(); // reads spark.* system properties set by spark-submit
    SparkSession.Builder builder = SparkSession.builder().appName(appName);
    if (!submitted.contains("spark.master")) {
      builder.master(settings.master());
    }
    String master = submitted.get("spark.master", settings.master());
    if (master.startsWith("local") && !submitted.contains("spark.driver.host")) {
      // A laptop's hostname often does not resolve; loopback always does.
      builder.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
    }
    if (master.startsWith("local")) {
      // One JVM, the app's classpath: file: paths without a chmod process per file (the config can override).
      builder.config(NioLocalFileSystem.sparkKey(), NioLocalFileSystem.class.getName());
    }
    builder.config("spark.sql.shuffle.partitions", settings.shufflePartitions());
    settings.conf().forEach(builder::config);
    return builder.getOrCreate();
  }
}
