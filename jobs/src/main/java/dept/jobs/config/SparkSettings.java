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

  public SparkSettings {
    master = master == null ? "local[*]" : master;
    shufflePartitions = shufflePartitions == null ? 8 : shufflePartitions;
    if (shufflePartitions < 1) {
      throw new IllegalArgumentException("shuffle_partitions must be >= 1, got " + shufflePartitions);
    }
    conf = conf == null ? Map.of() : Map.copyOf(new TreeMap<>(conf));
  }
}
