package dept.jobs.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starts a java process for an integration test (SparkSubmit, the S3 server), output to a log. */
final class ChildJvm {

  private ChildJvm() {}

  /** For a child started by jobs/bin/dept: C1 only and ParallelGC (see {@link #sparkSubmit}). */
  static final Map<String, String> C1_ONLY = Map.of("DEPT_JAVA_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseParallelGC",
      // The jars verify built: a rebuild here would rewrite them under the other test JVM's spark-submit.
      "DEPT_NO_BUILD", "1");

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** The JVM flags Spark needs on Java 17 (the failsafe configuration passes them down). */
  static List<String> opens() {
    String opens = System.getProperty("dept.jvm.opens", "");
    return opens.isBlank() ? List.of() : Arrays.asList(opens.trim().split("\\s+"));
  }

  /** Starts {@code command} with the test JVM's environment plus {@code env}, where an empty value unsets a variable. */
  static Process start(List<String> command, Map<String, String> env, Path log) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    env.forEach((k, v) -> {
      if (v.isEmpty()) {
        pb.environment().remove(k);
      } else {
        pb.environment().put(k, v);
      }
    });
    return pb.start();
  }

  /** Runs to completion (or kills it at the timeout) and returns the exit code. */
  static int run(List<String> command, Map<String, String> env, Path log, long timeoutSeconds)
      throws IOException, InterruptedException {
    Process p = start(command, env, log);
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }

  /**
   * What a Spark 4.0.1 cluster provides: the launcher classpath (target/classpath.txt) without
   * what the shaded jar brings itself (our modules, DJL, picocli, YAML, hadoop-aws, the AWS SDK).
   */
  static String sparkClasspath() throws IOException {
    List<String> bundled = List.of("/dept/", "/ai/djl/", "/info/picocli/", "/jackson-dataformat-yaml/", "/org/yaml/",
        "/hadoop-aws/", "/software/amazon/", "/org/wildfly/", "/com/google/code/gson/", "/net/java/dev/jna/");
    return Arrays.stream(Files.readString(Path.of("target/classpath.txt")).trim().split(":"))
        .filter(entry -> bundled.stream().noneMatch(entry::contains))
        // our own modules, from the local repository or (in a reactor build) their target/ directories
        .filter(entry -> !entry.matches(".*/(data-prep|training|evaluation)/target/.*"))
        .collect(java.util.stream.Collectors.joining(":"));
  }

  /** SparkSubmit from the Maven Spark jars, local[2], on the shaded jar, with the dept arguments. */
  static List<String> sparkSubmit(List<String> sparkConf, List<String> deptArgs) throws IOException {
    return sparkSubmit("local[2]", sparkConf, deptArgs);
  }

  /** SparkSubmit from the Maven Spark jars to {@code master} (client mode), on the shaded jar, with the dept arguments. */
  static List<String> sparkSubmit(String master, List<String> sparkConf, List<String> deptArgs) throws IOException {
    String classpath = sparkClasspath();
    // C1 only: a short-lived child spends much of its CPU compiling Spark with C2 for little gain
    // (measured); ParallelGC: G1's concurrent threads compete for the 2 cores (as the test JVMs).
    List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx2g", "-XX:TieredStopAtLevel=1", "-XX:+UseParallelGC"));
    cmd.addAll(opens());
    cmd.addAll(List.of("-Dai.djl.offline=true", "-cp", classpath, "org.apache.spark.deploy.SparkSubmit",
        "--master", master, "--class", "dept.jobs.cli.DeptCli",
        "--conf", "spark.ui.enabled=false", "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.driver.bindAddress=127.0.0.1",
        // A CPU-only cluster adds the PyTorch natives jar itself (README, "Run on a cluster").
        "--jars", nativesJar()));
    for (String c : sparkConf) {
      cmd.addAll(List.of("--conf", c));
    }
    cmd.add(clusterJar().toString());
    cmd.addAll(deptArgs);
    return cmd;
  }

  /** The PyTorch CPU natives jar from the launcher classpath. */
  static String nativesJar() throws IOException {
    return Arrays.stream(Files.readString(Path.of("target/classpath.txt")).trim().split(":"))
        .filter(entry -> entry.contains("pytorch-native-cpu")).findFirst()
        .orElseThrow(() -> new IllegalStateException("no pytorch-native-cpu jar in target/classpath.txt"));
  }

  static Path clusterJar() throws IOException {
    try (var files = Files.list(Path.of("target"))) {
      return files.filter(p -> p.getFileName().toString().endsWith("-cluster.jar")).findFirst()
          .orElseThrow(() -> new IllegalStateException("no shaded *-cluster.jar in target/: run mvn package"));
    }
  }
}
