package dept.train.rounds;

import dept.prep.io.NioLocalFileSystem;
import dept.train.local.OptimConfig;
import dept.train.model.ModelConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Trains SPEC on one source ({@code big}) in this JVM, whose heap the caller makes smaller than
 * that source's blocks ({@link RoundMemoryTest}); prints each task's blocks read and the heap's
 * peak. Arguments: blocks dir, store dir, seq_len, vocabulary size.
 */
public final class BoundedHeapRound {

  private BoundedHeapRound() {}

  public static void main(String[] args) {
    String blocks = args[0];
    String store = args[1];
    int seqLen = Integer.parseInt(args[2]);
    int vocab = Integer.parseInt(args[3]);
    SparkSession spark = SparkSession.builder().master("local[1]").appName("bounded-heap")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
        // Spark refuses a heap under 450 MB unless told how much of it to set aside.
        .config("spark.testing.reservedMemory", String.valueOf(32L << 20))
        .config(NioLocalFileSystem.sparkKey(), NioLocalFileSystem.class.getName())
        .getOrCreate();
    try {
      TrainConfig train = TrainConfig.builder().variants("SPEC").rounds(2).localSteps(3).seed(7L).evalEvery(2).evalBlocks(2)
          .optim(new OptimConfig(5e-3, 5e-4, 1, 0.0, null, null, null, 1.0, 4)).build();
      int[] tokenBytes = new int[vocab];
      Arrays.fill(tokenBytes, 1);
      RoundEngine engine = new RoundEngine(spark, train.variants().get(0), train, new ModelConfig(16, 1, 2, 4), seqLen, store,
          Map.of("big", vocab), Map.of("big", tokenBytes));
      RoundEngine.Outcome out = engine.run(BlockFiles.at(blocks, spark.sparkContext().hadoopConfiguration()), List.of("big"), false);
      for (RunLog.TaskRow t : out.log().tasks()) {
        System.out.printf("task round=%d blocks_read=%d rows_scanned=%d loss=%.4f%n", t.round(), t.blocksRead(), t.rowsScanned(), t.loss());
      }
      long peak = 0;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          peak += pool.getPeakUsage().getUsed();
        }
      }
      System.out.printf("heap max=%d peak=%d%n", Runtime.getRuntime().maxMemory(), peak);
    } finally {
      spark.stop();
    }
  }
}
