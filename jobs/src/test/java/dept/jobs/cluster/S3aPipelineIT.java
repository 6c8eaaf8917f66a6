package dept.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
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
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String endpoint = "http://127.0.0.1:" + port;
    String identity = "dept-it-access";
    String secret = "secret-" + UUID.randomUUID();
    Path props = dir.resolve("s3proxy.properties");
    Files.writeString(props, String.join("\n",
        "s3proxy.endpoint=" + endpoint,
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + identity,
        "s3proxy.credential=" + secret,
        "jclouds.provider=filesystem",
        "jclouds.filesystem.basedir=" + Files.createDirectories(dir.resolve("blobs"))) + "\n");
    Process server = ChildJvm.start(
        List.of(ChildJvm.java(), "-Xmx512m", "-XX:TieredStopAtLevel=1", "-jar", Path.of("target/it/s3proxy.jar").toString(), "--properties", props.toString()),
        Map.of(), dir.resolve("s3proxy.log"));
    try {
      awaitPort(port, server, dir.resolve("s3proxy.log"));
      try (S3Client s3 = S3Client.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(identity, secret)))
          .forcePathStyle(true).build()) {
        s3.createBucket(b -> b.bucket(BUCKET));
        s3.putObject(b -> b.bucket(BUCKET).key("corpus/sample.jsonl"), RequestBody.fromFile(Path.of("../data-prep/sample/sample.jsonl")));

        List<String> args = new ArrayList<>(List.of("pipeline", "--config", "../conf/local.yaml",
            "--set", "run.output=s3a://" + BUCKET + "/runs/it",
            "--set", "spark.shuffle_partitions=2",
            "--set", "train.variants=[SPEC+SCONE]", "--set", "train.rounds=2", "--set", "train.checkpoint_every=1",
            "--set", "train.scone.scaling.fgrams=[]", "--set", "train.scone.scaling.layers=[]"));
        args.addAll(dept.jobs.cli.CliRun.SMALL_MODEL);
        args.addAll(dept.jobs.cli.CliRun.fewSources("s3a://" + BUCKET + "/corpus/sample.jsonl"));
        List<String> conf = List.of(
            "spark.hadoop.fs.s3a.endpoint=" + endpoint,
            "spark.hadoop.fs.s3a.endpoint.region=us-east-1",
            "spark.hadoop.fs.s3a.path.style.access=true",
            "spark.hadoop.fs.s3a.connection.ssl.enabled=false",
            "spark.hadoop.fs.s3a.aws.credentials.provider=software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider",
            "spark.hadoop.fs.s3a.attempts.maximum=2",
            "spark.hadoop.fs.s3a.retry.limit=2",
            "spark.hadoop.fs.s3a.impl.disable.cache=true");
        Path log = dir.resolve("spark-submit.log");
        int exit = ChildJvm.run(ChildJvm.sparkSubmit(conf, args),
            Map.of("AWS_ACCESS_KEY_ID", identity, "AWS_SECRET_ACCESS_KEY", secret, "SPARK_LOCAL_IP", "127.0.0.1"), log, 600);
        String output = Files.readString(log);
        assertEquals(0, exit, output);
        assertTrue(output.contains("(balanced)"), output);
        assertFalse(output.contains(secret), "the secret key appears in the job's output");

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
    } finally {
      server.destroyForcibly();
    }
  }

  private static void awaitPort(int port, Process server, Path log) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      if (!server.isAlive()) {
        throw new IllegalStateException("s3proxy exited: " + Files.readString(log));
      }
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(200);
      }
    }
    throw new IllegalStateException("s3proxy did not listen on " + port + ": " + Files.readString(log));
  }
}
