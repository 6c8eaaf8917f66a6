package dept.train.rounds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.prep.SparkTestSession;
import dept.prep.pack.TokenizeJob;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source whose blocks exceed the task's memory trains: 200,000 train blocks of 256 tokens (205 MB
 * as int arrays, more as Spark rows) in a JVM of 160 MB heap. A task that held its source's blocks
 * (as rounds did before they read their picks from the files) cannot start there; each task here
 * holds at most H x B blocks.
 */
class RoundMemoryTest {

  private static final int TRAIN_BLOCKS = 200_000;
  private static final int SEQ_LEN = 255;
  private static final int VOCAB = 512;
  private static final String HEAP = "-Xmx160m";

  @TempDir
  Path dir;

  @Test
  void aSourceLargerThanTheHeapTrains() throws Exception {
    String blocks = dir.resolve("blocks").toString();
    writeBigSource(SparkTestSession.get(), blocks);
    long heapBytes = 160L << 20;
    assertTrue((long) TRAIN_BLOCKS * (SEQ_LEN + 1) * Integer.BYTES > heapBytes, "the source's tokens alone exceed the heap");

    Process child = new ProcessBuilder(command(blocks, dir.resolve("store").toString())).redirectErrorStream(true).start();
    String output;
    try (var in = child.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertTrue(child.waitFor(5, TimeUnit.MINUTES), "the run ends");
    assertEquals(0, child.exitValue(), () -> tail(output));

    Matcher task = Pattern.compile("task round=(\\d+) blocks_read=(\\d+) rows_scanned=(\\d+) loss=(\\S+)").matcher(output);
    int tasks = 0;
    while (task.find()) {
      tasks++;
      int read = Integer.parseInt(task.group(2));
      long scanned = Long.parseLong(task.group(3));
      assertTrue(read > 0 && read <= 3 * 4, "at most H x B = 12 blocks held, read " + read);
      assertTrue(scanned <= (long) read * TokenizeJob.ROWS_PER_PAGE, "their pages only: " + scanned + " rows decoded");
      assertTrue(Double.isFinite(Double.parseDouble(task.group(4))));
    }
    assertEquals(2, tasks, () -> tail(output));
    Matcher heap = Pattern.compile("heap max=(\\d+) peak=(\\d+)").matcher(output);
    assertTrue(heap.find(), () -> tail(output));
    System.out.printf("bounded heap: max %d MB, peak used %d MB, source %d MB of tokens%n", Long.parseLong(heap.group(1)) >> 20,
        Long.parseLong(heap.group(2)) >> 20, ((long) TRAIN_BLOCKS * (SEQ_LEN + 1) * Integer.BYTES) >> 20);
  }

  /** One source, {@code big}, as `dept tokenize` lays it out: pseudo-random tokens, 200,000 train and 64 val blocks. */
  private static void writeBigSource(SparkSession spark, String target) {
    spark.range(0, TRAIN_BLOCKS + 64).selectExpr(
            "'big' AS tokenizer", "'big' AS source",
            "IF(id < " + TRAIN_BLOCKS + ", 'train', 'val') AS split",
            "IF(id < " + TRAIN_BLOCKS + ", id, id - " + TRAIN_BLOCKS + ") AS block_id",
            "transform(sequence(0, " + SEQ_LEN + "), i -> CAST(pmod(hash(id, i), " + (VOCAB - 3) + ") + 3 AS INT)) AS tokens")
        .sortWithinPartitions("tokenizer", "source", "split", "block_id")
        .write().mode(SaveMode.Overwrite).options(TokenizeJob.BLOCK_WRITE_OPTIONS).partitionBy("tokenizer", "source").parquet(target);
  }

  /** This JVM's java, classpath and module flags, with a small heap. */
  private static List<String> command(String blocks, String store) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add(HEAP);
    cmd.add("-XX:TieredStopAtLevel=1");
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens") || arg.startsWith("-Djdk.reflect") || arg.startsWith("-Dio.netty") || arg.startsWith("-Dai.djl")) {
        cmd.add(arg);
      }
    }
    Path classpath = Files.createTempFile("bounded-heap", ".classpath");
    Files.writeString(classpath, "-cp " + System.getProperty("java.class.path"));
    classpath.toFile().deleteOnExit();
    cmd.add("@" + classpath);
    cmd.add(BoundedHeapRound.class.getName());
    cmd.addAll(List.of(blocks, store, String.valueOf(SEQ_LEN), String.valueOf(VOCAB)));
    return cmd;
  }

  private static String tail(String output) {
    return output.length() <= 4000 ? output : output.substring(output.length() - 4000);
  }
}
