package dept.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The shaded jar through Spark's real submit path (org.apache.spark.deploy.SparkSubmit from the
 * Maven Spark jars, what a cluster provides, --master local[2]): `dept pipeline` with its input and
 * every output on s3a://, against a real S3 API server (s3proxy, filesystem backend) on 127.0.0.1,
 * the credentials only in the environment; the secret must not appear in the job's output.
 */
class S3aPipelineIT {

  private static final String BUCKET = "dept-it";

  @TempDir Path dir;

  @Test
  void thePipelineReadsAndWritesS3aThroughARealS3Server() throws Exception {
    try (S3Server server = new S3Server(dir); S3Client s3 = server.client()) {
      s3.createBucket(b -> b.bucket(BUCKET));
      s3.putObject(b -> b.bucket(BUCKET).key("corpus/sample.jsonl"), RequestBody.fromFile(Path.of("../data-prep/sample/sample.jsonl")));

      List<String> args = new ArrayList<>(List.of("pipeline", "--config", "../conf/local.yaml",
          "--set", "run.output=s3a://" + BUCKET + "/runs/it",
          "--set", "spark.shuffle_partitions=2",
          "--set", "train.variants=[SPEC+SCONE]", "--set", "train.rounds=2", "--set", "train.checkpoint_every=1",
          "--set", "train.scone.scaling.fgrams=[]", "--set", "train.scone.scaling.layers=[]"));
      args.addAll(dept.jobs.cli.CliRun.SMALL_MODEL);
      args.addAll(dept.jobs.cli.CliRun.fewSources("s3a://" + BUCKET + "/corpus/sample.jsonl"));
      List<String> conf = server.sparkConf();
      Path log = dir.resolve("spark-submit.log");
      int exit = ChildJvm.run(ChildJvm.sparkSubmit(conf, args),
          withLocalIp(server.credentialsEnv()), log, 600);
      String output = Files.readString(log);
      assertEquals(0, exit, output);
      assertTrue(output.contains("(balanced)"), output);
      assertFalse(output.contains(server.secret), "the secret key appears in the job's output");

      List<String> keys = s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix("runs/it/")).contents().stream()
          .map(S3Object::key).toList();
      for (String d : List.of("documents", "rejects", "source_stats", "vocab", "blocks", "tokenize_stats", "ngrams", "fgrams", "fgram_coverage")) {
        assertTrue(keys.contains("runs/it/" + d + "/_SUCCESS"), d + " is complete on S3: " + keys.size() + " keys");
      }
      assertTrue(keys.contains("runs/it/tokenizers/global/tokenizer.json"));
      assertTrue(keys.contains("runs/it/config/ngrams.yaml"));
      // Training kept its checkpoints and the SPEC sources' own state on S3 too.
      assertTrue(keys.contains("runs/it/train/spec-scone/model/_SUCCESS"), "the trained model is on S3");
      assertTrue(keys.contains("runs/it/train/spec-scone/checkpoints/round-00002/manifest.json"), "checkpoints are on S3");
      assertTrue(keys.stream().anyMatch(k -> k.startsWith("runs/it/train/spec-scone/checkpoints/state/ja/replica-0/round-")),
          "per-source state (own embeddings and f-gram model) lives in the store, not on executors");
      // SCONE's lookup tables went to S3 and evaluate read them back from there with Parquet's own reader.
      assertTrue(keys.contains("runs/it/scone/spec-scone/fgram_embeddings/_SUCCESS"), "the SCONE tables are on S3");
      assertTrue(keys.stream().anyMatch(k -> k.startsWith("runs/it/scone/spec-scone/fgram_embeddings/table=ja/") && k.endsWith(".parquet")));
      assertTrue(output.contains("SCONE at inference (lookup table in host memory"), output);
      assertTrue(keys.contains("runs/it/evaluation/scone_lookup/_SUCCESS"));
      assertTrue(keys.stream().noneMatch(k -> k.contains("._tmp-")), "no temporary output is left behind");
      assertTrue(keys.stream().anyMatch(k -> k.startsWith("runs/it/documents/source=ja/") && k.endsWith(".parquet")));
    }
  }

  private static Map<String, String> withLocalIp(Map<String, String> env) {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("SPARK_LOCAL_IP", "127.0.0.1");
    return all;
  }
}
