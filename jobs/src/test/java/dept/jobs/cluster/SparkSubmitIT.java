package dept.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.jobs.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar through Spark's real submit path: org.apache.spark.deploy.SparkSubmit from the
 * Maven Spark jars (what a cluster provides), --master local[2], `dept pipeline` on the sample.
 */
class SparkSubmitIT {

  @TempDir Path dir;

  @Test
  void theClusterJarRunsThePipelineUnderSparkSubmit() throws Exception {
    Path out = dir.resolve("out");
    List<String> args = new ArrayList<>(Arrays.asList(CliRun.onSample("pipeline", out,
        "--set", "train.variants=[TRIM]", "--set", "train.rounds=2")));
    args.addAll(CliRun.SMALL_MODEL);
    args.addAll(CliRun.FEW_SOURCES);
    Path log = dir.resolve("spark-submit.log");
    int exit = ChildJvm.run(ChildJvm.sparkSubmit(List.of(), args), Map.of("SPARK_LOCAL_IP", "127.0.0.1"), log, 600);
    String output = Files.readString(log);
    assertEquals(0, exit, output);
    assertTrue(output.contains("(balanced)"), output);
    for (String d : List.of("documents", "rejects", "source_stats", "vocab", "blocks", "ngrams", "fgrams")) {
      assertTrue(Files.exists(out.resolve(d).resolve("_SUCCESS")), d + " is complete");
    }
    assertTrue(Files.exists(out.resolve("tokenizers/global/tokenizer.json")));
    assertTrue(Files.exists(out.resolve("config/ngrams.yaml")));
    assertTrue(Files.exists(out.resolve("train/trim/model/_SUCCESS")), "train ran under spark-submit");
  }
}
