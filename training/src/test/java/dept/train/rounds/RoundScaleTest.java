package dept.train.rounds;

import static dept.train.rounds.RoundFixture.SOURCES;
import static dept.train.rounds.RoundFixture.files;
import static dept.train.rounds.RoundFixture.quick;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.train.federated.OuterConfig;
import dept.train.model.ModelConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What reaches the driver does not grow with the number of tasks: under a
 * {@code spark.driver.maxResultSize} smaller than K bodies a round still runs (the K updates are
 * averaged on executors, shard by shard), and the bytes of task results the driver receives per
 * round stay flat from 4 to 16 tasks.
 */
class RoundScaleTest {

  @TempDir static Path dir;

  /** d 64, 2 layers: a 400 KB body, so 4 uploads (1.6 MB) exceed a 1 MB result limit. */
  private static final ModelConfig MODEL = new ModelConfig(64, 2, 2, 4);

  @BeforeAll
  static void prepareBlocks() {
    RoundFixture.prepare();
  }

  private static RoundEngine engine(TrainConfig train, Path store) {
    return new RoundEngine(RoundFixture.spark, train.variants().get(0), train, MODEL, 32, store.toString(),
        RoundFixture.vocab, RoundFixture.tokenBytes).withFgrams(RoundFixture.fgramSets);
  }

  private static TrainConfig config(String variant, int replicas, double shardMb) {
    return quick(variant, 1).localSteps(2).evalEvery(100).evalBlocks(2).replicas(replicas).sourcesPerRound(0)
        .innerState(InnerState.KEEP).outer(OuterConfig.defaults()).shardMb(shardMb).build();
  }

  /** Runs {@code train} with the driver's result limit at 1 MB; returns the task result bytes the driver received. */
  private static long resultBytesUnderOneMegabyte(TrainConfig train, Path store) {
    SparkConf conf = RoundFixture.spark.sparkContext().conf(); // the live conf: task sets read the limit when they start
    String before = conf.get("spark.driver.maxResultSize", "1g");
    AtomicLong bytes = new AtomicLong();
    SparkListener count = new SparkListener() {
      @Override
      public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.taskMetrics() != null) {
          bytes.addAndGet(end.taskMetrics().resultSize());
        }
      }
    };
    conf.set("spark.driver.maxResultSize", "1m");
    RoundFixture.spark.sparkContext().addSparkListener(count);
    try {
      RoundEngine.Outcome out = engine(train, store).run(files, SOURCES, false);
      assertEquals(1, out.log().timings().stream().filter(t -> t.round() > 0).count());
      long body = out.body().byteSize();
      assertTrue(SOURCES.size() * train.replicas() * body > 1 << 20, "K bodies (" + body + " B each) exceed the limit");
    } finally {
      conf.set("spark.driver.maxResultSize", before);
      try {
        RoundFixture.spark.sparkContext().listenerBus().waitUntilEmpty(10_000);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException(e);
      }
      RoundFixture.spark.sparkContext().removeSparkListener(count);
    }
    return bytes.get();
  }

  @Test
  void roundsRunUnderAResultLimitSmallerThanTheirUpdatesAndTheDriverReceivesTheSameAtAnyK() {
    Map<Integer, Long> received = new TreeMap<>();
    for (int replicas : new int[] {1, 4}) {
      received.put(SOURCES.size() * replicas, resultBytesUnderOneMegabyte(config("SPEC", replicas, 0.1), dir.resolve("spec-" + replicas)));
    }
    System.out.printf("task result bytes the driver received over a round (+ validation), by tasks per round: %s%n", received);
    assertTrue(received.get(16) < 1.3 * received.get(4), "what reaches the driver grows with K: " + received);
    // TRIM also sends its rows of the 700-row token table up: partial tables take the same path.
    resultBytesUnderOneMegabyte(config("TRIM", 1, 0.1), dir.resolve("trim"));
  }
}
