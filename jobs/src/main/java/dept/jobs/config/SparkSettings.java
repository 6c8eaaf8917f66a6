package dept.jobs.config;

import java.util.Map;
import java.util.TreeMap;

/**
 * How the CLI starts Spark. Under {@code spark-submit} the master given there wins.
 *
 * @param master Spark master for local runs, e.g. {@code local[*]}
 * @param shufflePartitions {@code spark.sql.shuffle.partitions}
 * @param conf any further Spark settings; {@code spark.hadoop.*} also reach Hadoop file systems
 */
public record SparkSettings(String master, Integer shufflePartitions, Map<String, String> conf) {

  /** Keys that hold credentials (fs.s3a.secret.key, fs.s3a.access.key, session tokens, passwords). */
  private static final java.util.regex.Pattern SECRET =
      java.util.regex.Pattern.compile("(secret|password|session\\.token|access\\.key)", java.util.regex.Pattern.CASE_INSENSITIVE);

  public SparkSettings {
    master = master == null ? "local[*]" : master;
    shufflePartitions = shufflePartitions == null ? 8 : shufflePartitions;
    if (shufflePartitions < 1) {
      throw new IllegalArgumentException("shuffle_partitions must be >= 1, got " + shufflePartitions);
    }
    conf = conf == null ? Map.of() : Map.copyOf(new TreeMap<>(conf));
    for (String key : conf.keySet()) {
      if (SECRET.matcher(key).find()) {
        throw new IllegalArgumentException("conf." + key + ": credentials do not belong in a config file (it is "
            + "copied next to the outputs); use the environment or the provider chain");
      }
    }
  }
}
