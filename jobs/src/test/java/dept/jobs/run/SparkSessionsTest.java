package dept.jobs.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dept.jobs.config.SparkSettings;
import dept.prep.SparkTestSession;
import dept.prep.io.NioLocalFileSystem;
import java.net.URI;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The CLI's local session: file: without a chmod per file, unless the config says otherwise. */
class SparkSessionsTest {

  @Test
  void aLocalSessionWritesFilePathsThroughNioAndTheConfigCanOverrideIt() throws Exception {
    SparkTestSession.stop();
    SparkSession spark = SparkSessions.start(new SparkSettings("local[1]", 1, Map.of("spark.ui.enabled", "false")), "t");
    try {
      var conf = spark.sparkContext().hadoopConfiguration();
      assertInstanceOf(NioLocalFileSystem.class, FileSystem.newInstance(URI.create("file:///"), conf));
    } finally {
      spark.stop();
    }
    spark = SparkSessions.start(new SparkSettings("local[1]", 1,
        Map.of("spark.ui.enabled", "false", NioLocalFileSystem.sparkKey(), LocalFileSystem.class.getName())), "t");
    try {
      var fs = FileSystem.newInstance(URI.create("file:///"), spark.sparkContext().hadoopConfiguration());
      assertEquals(LocalFileSystem.class, fs.getClass());
    } finally {
      spark.stop();
    }
  }
}
