package dept.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.prep.SparkTestSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The shaded jar on a real Spark standalone cluster (a master and two one-core workers as child
 * JVMs on 127.0.0.1, {@link StandaloneCluster}), submitted in client mode with input and output on
 * s3a:// (the S3 server on loopback; executors get the credentials from their environment only):
 * while a training round runs one executor is killed with SIGKILL, and once training is done one
 * worker (with its executors) is. The run must end, and its trained parameters and every figure of
 * the comparison, early-exit and extension tables must equal, bit for bit, those of the same run in
 * local mode ({@code SparkSubmit --master local[2]}) with the same seed.
 */
class StandaloneClusterIT {

  private static final String BUCKET = "dept-cluster-it";

  @TempDir Path dir;

  /** The trimmed pipeline: three variants (one +RTD for early exit), the extension, two rounds, the smallest model. */
  private static List<String> pipeline(String input, String output) {
    List<String> args = new ArrayList<>(List.of("pipeline", "--config", "../conf/local.yaml", "--set", "run.output=" + output,
        "--set", "spark.shuffle_partitions=2", "--set", "train.variants=[GLOB, SPEC, SPEC+RTD]", "--set", "train.rounds=2",
        "--set", "train.scone.scaling.fgrams=[]", "--set", "train.scone.scaling.layers=[]",
        "--set", "train.rtd.compare_generators=[]", "--set", "train.rtd.thresholds=[1.0, 0.9]",
        "--set", "extend.methods=[neutral, adapter]", "--set", "extend.steps=20",
        "--set", "extend.sweep.lrs=[]", "--set", "extend.sweep.alphas=[]", "--set", "extend.sweep.original_fractions=[]"));
    args.addAll(dept.jobs.cli.CliRun.SMALL_MODEL);
    args.addAll(dept.jobs.cli.CliRun.fewSources(input));
    return args;
  }

  @Test
  void aClusterThatLosesAnExecutorAndAWorkerTrainsWhatLocalModeTrains() throws Exception {
    try (S3Server server = new S3Server(dir); S3Client s3 = server.client()) {
      s3.createBucket(b -> b.bucket(BUCKET));
      s3.putObject(b -> b.bucket(BUCKET).key("corpus/sample.jsonl"), RequestBody.fromFile(Path.of("../data-prep/sample/sample.jsonl")));
      String input = "s3a://" + BUCKET + "/corpus/sample.jsonl";
      Map<String, String> driverEnv = new HashMap<>(server.credentialsEnv());
      driverEnv.put("SPARK_LOCAL_IP", "127.0.0.1");
      // The test JVMs run PyTorch with one thread (OMP_NUM_THREADS=1); the jobs here run as a user's
      // would, on the project's own per-task setting (TaskThreads).
      driverEnv.put("OMP_NUM_THREADS", "");
      Map<String, String> executorEnv = new HashMap<>(server.credentialsEnv());
      executorEnv.put("OMP_NUM_THREADS", "");

      // The reference: local mode, the same input, output on the local disk.
      Path local = dir.resolve("local");
      Path localLog = dir.resolve("local.log");
      int localExit = ChildJvm.run(ChildJvm.sparkSubmit(server.sparkConf(), pipeline(input, local.toUri().toString())), driverEnv, localLog, 600);
      assertEquals(0, localExit, Files.readString(localLog));

      Path clusterLog = dir.resolve("cluster.log");
      List<String> conf = new ArrayList<>(server.sparkConf());
      conf.addAll(List.of("spark.executor.memory=1536m", "spark.executor.extraJavaOptions=-XX:TieredStopAtLevel=1 -XX:+UseParallelGC",
          "spark.task.maxFailures=4"));
      String killedExecutor;
      try (StandaloneCluster cluster = new StandaloneCluster(dir.resolve("cluster"), 2, "2g", executorEnv)) {
        Process submit = ChildJvm.start(ChildJvm.sparkSubmit(cluster.masterUrl, conf, pipeline(input, "s3a://" + BUCKET + "/runs/cluster")),
            driverEnv, clusterLog);
        try {
          // Mid-round: the executor that starts the first training task of round 2, killed while that task runs.
          Path stderr = await(submit, clusterLog, () -> executorLogs(dir.resolve("cluster")).filter(
              f -> lines(f).anyMatch(l -> l.contains("round 2/2") && l.contains("local steps on"))).findFirst().orElse(null));
          killedExecutor = stderr.getParent().getFileName().toString();
          cluster.executor(killedExecutor).orElseThrow(() -> new AssertionError("no live executor " + killedExecutor)).destroyForcibly();
          // Between two stages: a whole worker, with whatever executor it runs.
          await(submit, clusterLog, () -> lines(clusterLog).anyMatch(l -> l.startsWith("== train done")) ? clusterLog : null);
          cluster.killWorker(1);
          assertTrue(submit.waitFor(600, TimeUnit.SECONDS), "the cluster run did not end: " + Files.readString(clusterLog));
          assertEquals(0, submit.exitValue(), Files.readString(clusterLog));
        } finally {
          submit.destroyForcibly();
        }
      }
      // Kept for a reader of a failed build: the driver's log and the executors' (under the workers' work directories).
      Path kept = Files.createDirectories(Path.of("target/it/standalone-cluster"));
      Files.copy(clusterLog, kept.resolve("driver.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Files.copy(localLog, kept.resolve("local-mode.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      String log = Files.readString(clusterLog);
      assertTrue(log.contains("Lost executor " + killedExecutor), "the driver saw the executor go: " + log);
      assertTrue(log.contains("ExecutorLostFailure"), "a running task was lost with the executor and run again: " + log);
      assertTrue(log.contains("== extend done") && log.contains("== evaluate done"), "the stages after the lost worker ran");
      assertFalse(log.contains(server.secret), "the secret key appears in the driver's output");
      try (Stream<Path> files = Files.walk(dir.resolve("cluster"))) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          assertFalse(Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1).contains(server.secret), "the secret key is in " + f);
        }
      }

      // What the cluster wrote to S3, next to what local mode wrote to disk.
      Path copy = download(s3, "runs/cluster/", dir.resolve("cluster-output"));
      successWrittenLast(s3, "runs/cluster/");
      for (String variant : List.of("glob", "spec", "spec-rtd")) {
        assertSameFiles(local.resolve("train/" + variant + "/model"), copy.resolve("train/" + variant + "/model"), ".bin");
      }
      assertSameFiles(local.resolve("extend/spec-el/params"), copy.resolve("extend/spec-el/params"), ".bin");
      SparkSession spark = SparkTestSession.get();
      // Every figure but wall-clock time.
      assertSameRows(spark, local, copy, "evaluation/comparison", "train_seconds", "tokens_per_second");
      assertSameRows(spark, local, copy, "evaluation/bits_per_byte");
      assertSameRows(spark, local, copy, "evaluation/early_exit");
      assertSameRows(spark, local, copy, "extend/spec-el/results", "wall_seconds");
      assertSameRows(spark, local, copy, "extend/spec-el/gates");
    }
  }

  /** Polls until {@code found} gives a value; fails if the run ends first. */
  private static <T> T await(Process run, Path log, java.util.function.Supplier<T> found) throws Exception {
    long deadline = System.currentTimeMillis() + 600_000;
    while (System.currentTimeMillis() < deadline) {
      T value = found.get();
      if (value != null) {
        return value;
      }
      if (!run.isAlive()) {
        throw new AssertionError("the run ended before the awaited point: " + Files.readString(log));
      }
      Thread.sleep(50);
    }
    throw new AssertionError("timed out: " + Files.readString(log));
  }

  /** Executors' stderr files under the workers' work directories: work/app-*&#47;<executor id>/stderr. */
  private static Stream<Path> executorLogs(Path clusterDir) {
    try (Stream<Path> files = Files.walk(clusterDir)) {
      return files.filter(p -> p.getFileName().toString().equals("stderr")).toList().stream();
    } catch (IOException | java.io.UncheckedIOException gone) {
      return Stream.empty();
    }
  }

  private static Stream<String> lines(Path file) {
    try {
      return Files.readAllLines(file, java.nio.charset.StandardCharsets.ISO_8859_1).stream();
    } catch (IOException e) {
      return Stream.empty();
    }
  }

  private static Path download(S3Client s3, String prefix, Path to) throws IOException {
    for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix)).contents()) {
      Path file = to.resolve(o.key().substring(prefix.length()));
      Files.createDirectories(file.getParent());
      Files.write(file, s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(o.key())).asByteArray());
    }
    return to;
  }

  /** Each dataset's _SUCCESS marker was written after every one of its files (the driver commits last). */
  private static void successWrittenLast(S3Client s3, String prefix) {
    Map<String, Instant> success = new TreeMap<>();
    Map<String, Instant> latestPart = new TreeMap<>();
    for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix)).contents()) {
      int slash = o.key().lastIndexOf('/');
      String name = o.key().substring(slash + 1);
      if (name.equals("_SUCCESS")) {
        success.put(o.key().substring(0, slash), o.lastModified());
      } else if (name.startsWith("part-")) {
        String dataset = o.key().substring(0, slash).replaceAll("/[a-z_]+=[^/]+$", "").replaceAll("/[a-z_]+=[^/]+$", "");
        latestPart.merge(dataset, o.lastModified(), (a, b) -> a.isAfter(b) ? a : b);
      }
    }
    assertTrue(success.size() >= 10, "datasets with _SUCCESS: " + success.keySet());
    success.forEach((dataset, at) -> {
      Instant part = latestPart.get(dataset);
      assertTrue(part == null || !part.isAfter(at), dataset + ": a part file is newer than _SUCCESS");
    });
  }

  private static void assertSameFiles(Path expected, Path actual, String suffix) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(expected)) {
      files = walk.filter(p -> p.getFileName().toString().endsWith(suffix) && !p.getFileName().toString().startsWith(".")).sorted().toList();
    }
    assertFalse(files.isEmpty(), "no " + suffix + " files under " + expected);
    for (Path f : files) {
      Path other = actual.resolve(expected.relativize(f).toString());
      assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(other), other + " differs from local mode's");
    }
  }

  private static void assertSameRows(SparkSession spark, Path local, Path cluster, String dataset, String... timings) {
    Dataset<Row> a = spark.read().parquet(local.resolve(dataset).toString()).drop(timings);
    Dataset<Row> b = spark.read().parquet(cluster.resolve(dataset).toString()).drop(timings);
    org.apache.spark.sql.Column[] columns = java.util.Arrays.stream(a.columns()).map(org.apache.spark.sql.functions::col)
        .toArray(org.apache.spark.sql.Column[]::new);
    List<Row> left = a.orderBy(columns).collectAsList();
    List<Row> right = b.select(columns).orderBy(columns).collectAsList();
    assertFalse(left.isEmpty(), dataset + " is empty");
    assertEquals(left.toString(), right.toString(), dataset + ": the cluster's figures differ from local mode's");
  }
}
