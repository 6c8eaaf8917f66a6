package dept.train.rounds;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a run measured, round by round: one row per task, one per validated source, one
 * timing per round. It travels in every checkpoint, so a resumed run reports the rounds it did
 * not redo; the train stage writes it to Parquet at the end.
 */
public final class RunLog {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One task of one round. {@code step} is the global step reached; {@code loss} the last local
   * step's; bytes are serialised sizes, params the float counts behind them (x 4 = the theory);
   * {@code excluded}: its update was not finite and was left out of the round; {@code blocksRead}:
   * the distinct blocks it read for the round, {@code rowsScanned} the rows Parquet decoded to find them.
   */
  public record TaskRow(String variant, int round, String source, int replica, long step, float loss, float[] losses,
      long tokens, long bytesUp, long bytesDown, long paramsUp, long paramsDown, long embeddingParams, long computeMs,
      long taskMs, long wallMs, boolean excluded, int blocksRead, long rowsScanned, double localValLoss, double localValBitsPerByte)
      implements java.io.Serializable {}

  /**
   * Validation of one source after {@code round} (0 = before training): loss and bits per byte
   * with the softmax the source trained (TRIM: its held rows, a target outside them costing ln V
   * nats; {@code targetsOutsideRows} counts those), and over every row of the vocabulary
   * ({@code bitsPerByteAllRows}; the same figure for variants that train every row).
   */
  public record ValidationRow(String variant, int round, String source, double loss, double perplexity,
      double bitsPerByte, long tokens, long bytes, double bitsPerByteAllRows, long targetsOutsideRows)
      implements java.io.Serializable {}

  /**
   * Where a round's wall time went on the driver: broadcasting, the Spark job of the tasks (of which
   * {@code computeMs} is local training, summed over tasks), aggregation, checkpoint, validation.
   */
  public record RoundTiming(String variant, int round, long wallMs, long broadcastMs, long tasksMs, long computeMs,
      long aggregateMs, long checkpointMs, long validateMs) {}

  public record Rows(List<TaskRow> tasks, List<ValidationRow> validation, List<RoundTiming> timings) {}

  private final List<TaskRow> tasks = new ArrayList<>();
  private final List<ValidationRow> validation = new ArrayList<>();
  private final List<RoundTiming> timings = new ArrayList<>();

  public List<TaskRow> tasks() {
    return tasks;
  }

  public List<ValidationRow> validation() {
    return validation;
  }

  public List<RoundTiming> timings() {
    return timings;
  }

  public byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(new Rows(tasks, validation, timings));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static RunLog fromJson(byte[] json) {
    try {
      Rows rows = JSON.readValue(json, Rows.class);
      RunLog log = new RunLog();
      log.tasks.addAll(rows.tasks());
      log.validation.addAll(rows.validation());
      log.timings.addAll(rows.timings());
      return log;
    } catch (IOException e) {
      throw new UncheckedIOException("corrupt run log in checkpoint", e);
    }
  }
}
