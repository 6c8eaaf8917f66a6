package dept.jobs.cli;

import dept.jobs.config.ConfigLoader;
import dept.jobs.config.PipelineConfig;
import dept.prep.io.HadoopConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a stage runs with: the resolved config, the output layout, Hadoop settings for the driver,
 * and a Spark session started on first use, so that stages validate their inputs before Spark
 * starts.
 */
public final class StageContext implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StageContext.class);

  private final PipelineConfig config;
  private final ConfigLoader loader;
  private final OutputLayout layout;
  private final Configuration hadoop;
  private SparkSession spark;

  public StageContext(PipelineConfig config, ConfigLoader loader) {
    this.config = config;
    this.loader = loader;
    this.layout = new OutputLayout(config.run().output());
    this.hadoop = HadoopConfig.fromSparkConf(config.spark().conf());
  }

  public PipelineConfig config() {
    return config;
  }

  public OutputLayout layout() {
    return layout;
  }

  /** Hadoop settings for paths touched on the driver (inputs, outputs); Spark's once started. */
  public Configuration hadoop() {
    return spark == null ? hadoop : spark.sparkContext().hadoopConfiguration();
  }

  public SparkSession spark() {
    if (spark == null) {
      spark = SparkSessions.start(config.spark(), "dept " + config.run().name());
    }
    return spark;
  }

  /** Writes the effective config of {@code stage} next to the outputs (atomically). */
  public void writeEffectiveConfig(String stage) {
    Path target = new Path(layout.effectiveConfig(stage));
    String text =
        "# effective config of stage '" + stage + "' (defaults filled in), written "
            + Instant.now() + "\n" + loader.toYaml(config);
    try {
      FileSystem fs = target.getFileSystem(hadoop());
      Path tmp = new Path(target.getParent(), "._tmp-" + target.getName());
      try (OutputStream out = fs.create(tmp, true)) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      }
      dept.prep.io.AtomicOutput.replace(fs, tmp, target);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
    LOG.info("effective config: {}", target);
  }

  @Override
  public void close() {
    if (spark != null) {
      spark.stop();
      spark = null;
    }
  }
}
