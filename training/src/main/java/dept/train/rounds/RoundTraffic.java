package dept.train.rounds;

import dept.train.model.DecoderLm;
import dept.train.model.ModelConfig;
import dept.train.params.NamedTensors;
import dept.train.params.ShardPlan;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one round moves and holds, from the model's shapes alone (nothing allocated, so a 1.3B body
 * can be sized on a laptop), with the byte count the run's metrics use
 * ({@link NamedTensors#byteSize}). TRIM's upload is counted as the whole token table (its upper
 * bound: a source sends only the rows it holds, {@link SharingPolicy#uploaded}).
 *
 * @param tasks tasks per round (K sources x replicas)
 * @param down bytes a task receives (body and global input side)
 * @param up bytes a task sends (what its policy uploads)
 * @param driverReceived task result bytes reaching the driver per round: one mean (plus reports)
 * @param driverReceivedUnsharded what they were when the driver collected every update (K x up)
 * @param driverHeld tensor bytes the driver holds at the aggregation: global, mean and new global
 * @param taskHeld tensor bytes a task holds while training: parameters, gradients and two AdamW moments
 * @param shards shards per tensor set at the run's {@code shard_mb}
 */
public record RoundTraffic(String variant, long parameters, int tasks, long down, long up, long driverReceived,
    long driverReceivedUnsharded, long driverHeld, long taskHeld, int shards) {

  /** A generous size for the K small task reports (losses, counts) that travel with the mean. */
  private static final long REPORT_BYTES = 4096;

  public static RoundTraffic of(Variant variant, ModelConfig model, int seqLen, int vocab, int tasks, long shardBytes) {
    DecoderLm lm = new DecoderLm(model, vocab, seqLen);
    Map<String, long[]> body = lm.bodyShapes();
    Map<String, long[]> input = lm.embeddingShapes();
    Map<String, long[]> global = new TreeMap<>(body);
    if (variant.sharedEmbeddings()) {
      global.putAll(input);
    }
    Map<String, long[]> uploaded = new TreeMap<>();
    global.forEach((n, s) -> {
      if (variant.policy().uploaded(n)) {
        uploaded.put(n, s);
      }
    });
    Map<String, long[]> trained = new TreeMap<>(body);
    trained.putAll(input);
    long down = NamedTensors.byteSize(global);
    long up = NamedTensors.byteSize(uploaded);
    long params = NamedTensors.parameterCount(trained);
    return new RoundTraffic(variant.name(), NamedTensors.parameterCount(body), tasks, down, up, up + tasks * REPORT_BYTES,
        tasks * (up + REPORT_BYTES), 3 * down, 4 * 4 * params, ShardPlan.of(global, shardBytes).size());
  }

  /**
   * Refuses a {@code spark.driver.maxResultSize} (0 = unlimited) below what one round's results
   * need, naming the number; the message says what to set.
   */
  public void requireResultLimit(long maxResultSize) {
    if (maxResultSize > 0 && maxResultSize < driverReceived) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "spark.driver.maxResultSize = %s is below the %s one %s round sends the driver (one mean of %s parameters "
              + "and %d task reports): set it to at least %s", human(maxResultSize), human(driverReceived), variant,
          String.format(Locale.ROOT, "%,d", parameters), tasks, human(driverReceived)));
    }
  }

  public static String human(long bytes) {
    if (bytes >= 1L << 30) {
      return String.format(Locale.ROOT, "%.2f GB", bytes / (double) (1L << 30));
    }
    if (bytes >= 1L << 20) {
      return String.format(Locale.ROOT, "%.1f MB", bytes / (double) (1L << 20));
    }
    return String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
  }
}
