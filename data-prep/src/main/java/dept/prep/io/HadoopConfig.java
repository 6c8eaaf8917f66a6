package dept.prep.io;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * A Hadoop {@link Configuration} that can travel inside a Spark closure (Configuration itself is
 * Writable, not Serializable), so tasks open {@code s3a://} and {@code hdfs://} paths with the
 * driver's settings.
 */
public final class HadoopConfig implements Serializable {

  private static final long serialVersionUID = 1L;

  private final byte[] written;
  private transient Configuration conf;

  public HadoopConfig(Configuration conf) {
    this.conf = conf;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      conf.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.written = bytes.toByteArray();
  }

  /** The Hadoop settings a Spark config implies: every {@code spark.hadoop.x} becomes {@code x}. */
  public static Configuration fromSparkConf(Map<String, String> sparkConf) {
    Configuration conf = new Configuration();
    sparkConf.forEach(
        (k, v) -> {
          if (k.startsWith("spark.hadoop.")) {
            conf.set(k.substring("spark.hadoop.".length()), v);
          }
        });
    return conf;
  }

  public Configuration get() {
    if (conf == null) {
      Configuration c = new Configuration(false);
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(written))) {
        c.readFields(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      conf = c;
    }
    return conf;
  }
}
