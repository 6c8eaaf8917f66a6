package dept.jobs.run;

import dept.jobs.config.ConfigLoader;
import dept.jobs.config.PipelineConfig;
import dept.prep.io.AtomicOutput;
import dept.prep.io.HadoopConfig;
import dept.prep.io.InputPathException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.hadoop.conf.Configuration;
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
  private final StageContext parent;
  private SparkSession spark;
  private String stage;

  public StageContext(PipelineConfig config, ConfigLoader loader) {
    this(config, loader, null);
  }

  private StageContext(PipelineConfig config, ConfigLoader loader, StageContext parent) {
    this.config = config;
    this.loader = loader;
    this.parent = parent;
    this.layout = new OutputLayout(config.run().output(), config.run().data());
    // Settings given to spark-submit (--conf spark.hadoop.fs.s3a.endpoint=...) reach the driver's
    // own file-system calls (input listing) as well, before Spark starts; the config file wins.
    java.util.Map<String, String> sparkConf = new java.util.TreeMap<>();
    for (scala.Tuple2<String, String> kv : new org.apache.spark.SparkConf(true).getAll()) {
      sparkConf.put(kv._1(), kv._2());
    }
    sparkConf.putAll(config.spark().conf());
    this.hadoop = HadoopConfig.fromSparkConf(sparkConf);
  }

  public PipelineConfig config() {
    return config;
  }

  public OutputLayout layout() {
    return layout;
  }

  /** Hadoop settings for paths touched on the driver (inputs, outputs); Spark's once started. */
  public Configuration hadoop() {
    if (parent != null) {
      return parent.hadoop();
    }
    return spark == null ? hadoop : spark.sparkContext().hadoopConfiguration();
  }

  /**
   * A context for this config with {@code overrides} (a study's arm) on this context's Spark session: closing it
   * leaves the session running. Spark settings in the overrides are not applied.
   */
  public StageContext derive(java.util.List<String> overrides) {
    return new StageContext(loader.derive(config, overrides), loader, this);
  }

  public SparkSession spark() {
    if (parent != null) {
      return parent.spark();
    }
    if (spark == null) {
      spark = SparkSessions.start(config.spark(), "dept " + config.run().name());
      spark.sparkContext().addSparkListener(new SparkProgress(10));
      if (stage != null) {
        spark.sparkContext().setJobDescription("dept " + stage);
      }
    }
    return spark;
  }

  /** Names the Spark jobs that follow in progress lines (and the Spark UI). */
  public void describe(String stage) {
    this.stage = stage;
    if (parent != null) {
      parent.describe(stage);
    } else if (spark != null) {
      spark.sparkContext().setJobDescription("dept " + stage);
    }
  }

  /** Writes the effective config of {@code stage} next to the outputs (atomically). */
  public void writeEffectiveConfig(String stage) {
    String target = layout.effectiveConfig(stage);
    String yaml = "# effective config of stage '" + stage + "' (defaults filled in), written " + Instant.now() + "\n"
        + loader.toYaml(config);
    AtomicOutput.writeFile(target, yaml.getBytes(StandardCharsets.UTF_8), hadoop());
    LOG.info("effective config: {}", target);
  }

  /** Fails with the stage to run first when {@code path} is not a complete dataset. */
  public void requireComplete(String path, String producer) {
    if (!AtomicOutput.isComplete(path, hadoop())) {
      throw new InputPathException(path + " is missing or incomplete: run `dept " + producer + "` first");
    }
  }

  @Override
  public void close() {
    if (spark != null) {
      spark.stop();
      spark = null;
    }
  }
}
