package dept.jobs.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 API server (s3proxy, filesystem backend) on 127.0.0.1 for the integration tests, with
 * a fresh secret; the jobs get the credentials through the environment only ({@link #credentialsEnv()}).
 */
final class S3Server implements AutoCloseable {

  final String endpoint;
  final String identity = "dept-it-access";
  final String secret = "secret-" + UUID.randomUUID();
  private final Process process;

  S3Server(Path dir) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    endpoint = "http://127.0.0.1:" + port;
    Path props = dir.resolve("s3proxy.properties");
    Files.writeString(props, String.join("\n",
        "s3proxy.endpoint=" + endpoint,
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + identity,
        "s3proxy.credential=" + secret,
        "jclouds.provider=filesystem",
        "jclouds.filesystem.basedir=" + Files.createDirectories(dir.resolve("blobs"))) + "\n");
    Path log = dir.resolve("s3proxy.log");
    process = ChildJvm.start(
        List.of(ChildJvm.java(), "-Xmx512m", "-XX:TieredStopAtLevel=1", "-jar", Path.of("target/it/s3proxy.jar").toString(), "--properties", props.toString()),
        Map.of(), log);
    awaitPort(port, log);
  }

  /** A client of this server with its credentials. */
  S3Client client() {
    return S3Client.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(identity, secret)))
        .forcePathStyle(true).build();
  }

  /** The environment a job (driver or executor) reads its credentials from. */
  Map<String, String> credentialsEnv() {
    return Map.of("AWS_ACCESS_KEY_ID", identity, "AWS_SECRET_ACCESS_KEY", secret);
  }

  /** Spark settings that point s3a:// at this server; credentials come from the environment. */
  List<String> sparkConf() {
    return List.of(
        "spark.hadoop.fs.s3a.endpoint=" + endpoint,
        "spark.hadoop.fs.s3a.endpoint.region=us-east-1",
        "spark.hadoop.fs.s3a.path.style.access=true",
        "spark.hadoop.fs.s3a.connection.ssl.enabled=false",
        "spark.hadoop.fs.s3a.aws.credentials.provider=software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider",
        "spark.hadoop.fs.s3a.attempts.maximum=2",
        "spark.hadoop.fs.s3a.retry.limit=2",
        "spark.hadoop.fs.s3a.impl.disable.cache=true");
  }

  private void awaitPort(int port, Path log) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      if (!process.isAlive()) {
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

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
