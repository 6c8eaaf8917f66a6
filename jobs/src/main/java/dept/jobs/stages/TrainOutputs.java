package dept.jobs.stages;

import dept.jobs.run.StageContext;
import dept.prep.io.AtomicOutput;
import dept.train.rounds.RunLog;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The train stage's tables: a run log to Parquet, and the summary printed at the end. */
final class TrainOutputs {

  static final StructType METRICS = new StructType()
      .add("variant", DataTypes.StringType, false)
      .add("round", DataTypes.IntegerType, false)
      .add("source", DataTypes.StringType, false)
      .add("replica", DataTypes.IntegerType, false)
      .add("step", DataTypes.LongType, false)
      .add("loss", DataTypes.FloatType, false)
      .add("losses", DataTypes.createArrayType(DataTypes.FloatType, false), false)
      .add("tokens", DataTypes.LongType, false)
      .add("bytes_up", DataTypes.LongType, false)
      .add("bytes_down", DataTypes.LongType, false)
      .add("params_up", DataTypes.LongType, false)
      .add("params_down", DataTypes.LongType, false)
      .add("embedding_params", DataTypes.LongType, false)
      .add("compute_ms", DataTypes.LongType, false)
      .add("task_ms", DataTypes.LongType, false)
      .add("wall_ms", DataTypes.LongType, false)
      .add("excluded", DataTypes.BooleanType, false)
      .add("blocks_read", DataTypes.IntegerType, false)
      .add("rows_scanned", DataTypes.LongType, false)
      .add("local_val_loss", DataTypes.DoubleType, false)
      .add("local_val_bits_per_byte", DataTypes.DoubleType, false);

  static final StructType VALIDATION = new StructType()
      .add("variant", DataTypes.StringType, false)
      .add("round", DataTypes.IntegerType, false)
      .add("source", DataTypes.StringType, false)
      .add("loss", DataTypes.DoubleType, false)
      .add("perplexity", DataTypes.DoubleType, false)
      .add("bits_per_byte", DataTypes.DoubleType, false)
      .add("tokens", DataTypes.LongType, false)
      .add("bytes", DataTypes.LongType, false)
      .add("bits_per_byte_all_rows", DataTypes.DoubleType, false)
      .add("targets_outside_rows", DataTypes.LongType, false);

  static final StructType TIMINGS = new StructType()
      .add("variant", DataTypes.StringType, false)
      .add("round", DataTypes.IntegerType, false)
      .add("wall_ms", DataTypes.LongType, false)
      .add("broadcast_ms", DataTypes.LongType, false)
      .add("tasks_ms", DataTypes.LongType, false)
      .add("compute_ms", DataTypes.LongType, false)
      .add("aggregate_ms", DataTypes.LongType, false)
      .add("checkpoint_ms", DataTypes.LongType, false)
      .add("validate_ms", DataTypes.LongType, false);

  private final StageContext ctx;
  private final Map<String, RunLog> logs = new LinkedHashMap<>();

  TrainOutputs(StageContext ctx) {
    this.ctx = ctx;
  }

  void write(String variant, RunLog log) {
    logs.put(variant, log);
    List<Row> metrics = new ArrayList<>();
    for (RunLog.TaskRow t : log.tasks()) {
      Float[] losses = new Float[t.losses().length];
      for (int i = 0; i < losses.length; i++) {
        losses[i] = t.losses()[i];
      }
      metrics.add(RowFactory.create(t.variant(), t.round(), t.source(), t.replica(), t.step(), t.loss(), losses, t.tokens(),
          t.bytesUp(), t.bytesDown(), t.paramsUp(), t.paramsDown(), t.embeddingParams(), t.computeMs(), t.taskMs(), t.wallMs(), t.excluded(),
          t.blocksRead(), t.rowsScanned(), t.localValLoss(), t.localValBitsPerByte()));
    }
    List<Row> validation = new ArrayList<>();
    for (RunLog.ValidationRow v : log.validation()) {
      validation.add(RowFactory.create(v.variant(), v.round(), v.source(), v.loss(), v.perplexity(), v.bitsPerByte(), v.tokens(), v.bytes(),
          v.bitsPerByteAllRows(), v.targetsOutsideRows()));
    }
    List<Row> timings = new ArrayList<>();
    for (RunLog.RoundTiming r : log.timings()) {
      timings.add(RowFactory.create(r.variant(), r.round(), r.wallMs(), r.broadcastMs(), r.tasksMs(), r.computeMs(),
          r.aggregateMs(), r.checkpointMs(), r.validateMs()));
    }
    var spark = ctx.spark();
    AtomicOutput.writeParquet(spark.createDataFrame(metrics, METRICS).coalesce(1), ctx.layout().trainMetrics(variant), ctx.hadoop());
    AtomicOutput.writeParquet(spark.createDataFrame(validation, VALIDATION).coalesce(1), ctx.layout().trainValidation(variant), ctx.hadoop());
    AtomicOutput.writeParquet(spark.createDataFrame(timings, TIMINGS).coalesce(1), ctx.layout().trainTimings(variant), ctx.hadoop());
    System.out.printf("%s: %d task rows, %d validation rows, %d rounds timed -> %s%n", variant, metrics.size(), validation.size(),
        timings.size(), ctx.layout().train(variant));
  }

  /**
   * Final validation bits per byte per source and variant, then communication: what each task
   * sends per round, per local step (the DEPT paper's figure) and against data-parallel STD,
   * which all-reduces the whole model every step.
   */
  void printSummary(List<String> variants, int localSteps) {
    TreeSet<String> sources = new TreeSet<>();
    logs.values().forEach(l -> l.validation().forEach(v -> sources.add(v.source())));
    System.out.println("validation bits per byte after the last round (round 0 = before training in brackets):");
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-10s", "variant"));
    sources.forEach(s -> header.append(String.format(Locale.ROOT, " %14s", s)));
    System.out.println(header);
    for (String v : variants) {
      RunLog log = logs.get(v);
      int last = log.validation().stream().mapToInt(RunLog.ValidationRow::round).max().orElse(0);
      Map<String, double[]> bpb = new TreeMap<>();
      log.validation().forEach(r -> {
        double[] b = bpb.computeIfAbsent(r.source(), k -> new double[2]);
        if (r.round() == 0) {
          b[0] = r.bitsPerByte();
        }
        if (r.round() == last) {
          b[1] = r.bitsPerByte();
        }
      });
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-10s", v));
      sources.forEach(s -> {
        double[] b = bpb.getOrDefault(s, new double[] {Double.NaN, Double.NaN});
        line.append(String.format(Locale.ROOT, " %6.3f (%5.2f)", b[1], b[0]));
      });
      System.out.println(line);
    }
    long std = fullModelParamsPerStep();
    System.out.println("communication per task (source or replica) per round, and per local step:");
    System.out.printf(Locale.ROOT, "%-10s %14s %14s %16s %20s%n", "variant", "bytes up", "bytes down", "params up / H",
        std > 0 ? "vs DP-STD per step" : "");
    for (String v : variants) {
      List<RunLog.TaskRow> tasks = logs.get(v).tasks();
      double up = tasks.stream().mapToLong(RunLog.TaskRow::bytesUp).average().orElse(0);
      double down = tasks.stream().mapToLong(RunLog.TaskRow::bytesDown).average().orElse(0);
      double perStep = tasks.stream().mapToLong(RunLog.TaskRow::paramsUp).average().orElse(0) / localSteps;
      System.out.printf(Locale.ROOT, "%-10s %14.0f %14.0f %16.0f %20s%n", v, up, down, perStep,
          std > 0 ? String.format(Locale.ROOT, "%.4fx", perStep / std) : "");
    }
    if (std > 0) {
      System.out.printf(Locale.ROOT, "data-parallel STD all-reduces the whole model, %d parameters, every step%n", std);
    }
  }

  /** The whole STD/GLOB model (what GLOB's tasks send up), if either ran. */
  private long fullModelParamsPerStep() {
    for (String v : List.of("GLOB", "STD", "ACT")) {
      if (logs.containsKey(v) && !logs.get(v).tasks().isEmpty()) {
        return logs.get(v).tasks().get(0).paramsUp();
      }
    }
    return 0;
  }
}
