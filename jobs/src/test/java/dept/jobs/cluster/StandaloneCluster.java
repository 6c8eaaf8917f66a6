package dept.jobs.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Spark standalone cluster on 127.0.0.1, started as README "Run on a cluster" says: a SPARK_HOME
 * whose {@code jars/} holds what a Spark 4.0.1 distribution ships (the Maven Spark jars of
 * {@link ChildJvm#sparkClasspath()}), a master and one-core workers as child JVMs. Every daemon and
 * executor it started is stopped by process on {@link #close()}, also when a test fails.
 */
final class StandaloneCluster implements AutoCloseable {

  final String masterUrl;
  private final int webUiPort;
  private final Process master;
  private final List<Process> workers = new ArrayList<>();

  /**
   * @param workerEnv added to the workers' environment, which their executors inherit (e.g. the object
   *     store's credentials)
   */
  StandaloneCluster(Path dir, int workerCount, String workerMemory, Map<String, String> workerEnv) throws Exception {
    Path home = sparkHome(dir.resolve("spark-home"));
    int port = freePort();
    webUiPort = freePort();
    masterUrl = "spark://127.0.0.1:" + port;
    Map<String, String> env = new HashMap<>(Map.of("SPARK_HOME", home.toString(),
        // What a distribution's bin/load-spark-env.sh sets; the worker's executor command builder needs it.
        "SPARK_SCALA_VERSION", "2.13", "SPARK_LOCAL_IP", "127.0.0.1"));
    master = ChildJvm.start(daemon(home, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", String.valueOf(port),
        "--webui-port", String.valueOf(webUiPort)), env, dir.resolve("master.log"));
    env.putAll(workerEnv);
    try {
      for (int w = 0; w < workerCount; w++) {
        Path work = Files.createDirectories(dir.resolve("worker-" + w));
        workers.add(ChildJvm.start(daemon(home, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "1",
            "--memory", workerMemory, "--webui-port", "0", "--work-dir", work.toString(), masterUrl), env, dir.resolve("worker-" + w + ".log")));
      }
      awaitAliveWorkers(workerCount, dir);
    } catch (Exception | AssertionError e) {
      close();
      throw e;
    }
  }

  /** SPARK_HOME/jars: links to the jars a Spark distribution ships. */
  private static Path sparkHome(Path home) throws IOException {
    Path jars = Files.createDirectories(home.resolve("jars"));
    for (String entry : ChildJvm.sparkClasspath().split(":")) {
      Path jar = Path.of(entry);
      Path link = jars.resolve(jar.getFileName());
      if (entry.endsWith(".jar") && !Files.exists(link)) {
        Files.createSymbolicLink(link, jar.toAbsolutePath());
      }
    }
    return home;
  }

  private static List<String> daemon(Path home, String mainClass, String... args) {
    List<String> cmd = new ArrayList<>(List.of(ChildJvm.java(), "-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseParallelGC"));
    cmd.addAll(ChildJvm.opens());
    cmd.addAll(List.of("-cp", home.resolve("jars") + "/*", mainClass));
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Workers the master counts as alive, from its JSON status page. */
  int aliveWorkers() {
    try {
      var status = new ObjectMapper().readTree(URI.create("http://127.0.0.1:" + webUiPort + "/json/").toURL());
      return status.get("aliveworkers").asInt();
    } catch (IOException notUpYet) {
      return 0;
    }
  }

  private void awaitAliveWorkers(int count, Path dir) throws Exception {
    long deadline = System.currentTimeMillis() + 90_000;
    while (aliveWorkers() < count) {
      if (System.currentTimeMillis() > deadline || !master.isAlive()) {
        throw new IllegalStateException("the master has " + aliveWorkers() + " of " + count + " workers: "
            + Files.readString(dir.resolve("master.log")));
      }
      Thread.sleep(300);
    }
  }

  /** The executor JVM with this id (a worker's child running CoarseGrainedExecutorBackend), if alive. */
  Optional<ProcessHandle> executor(String id) {
    return workers.stream().flatMap(Process::descendants).filter(p -> {
      List<String> args = List.of(p.info().arguments().orElse(new String[0]));
      int at = args.indexOf("--executor-id");
      return args.contains("org.apache.spark.executor.CoarseGrainedExecutorBackend") && at >= 0 && args.get(at + 1).equals(id);
    }).findFirst();
  }

  /** Kills worker {@code index} and its executors with SIGKILL, as a lost machine. */
  void killWorker(int index) {
    Process worker = workers.get(index);
    worker.descendants().forEach(ProcessHandle::destroyForcibly);
    worker.destroyForcibly();
  }

  @Override
  public void close() {
    for (Process w : workers) {
      w.descendants().forEach(ProcessHandle::destroyForcibly);
      w.destroyForcibly();
    }
    master.destroyForcibly();
    for (Process p : workers) {
      p.onExit().join();
    }
    master.onExit().join();
  }
}
