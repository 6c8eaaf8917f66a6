package dept.jobs.stages;

import dept.eval.Comparison;
import dept.eval.Report;
import dept.jobs.run.Stage;
import dept.jobs.run.StageContext;
import dept.eval.SconeLookup;
import dept.eval.SconeScaling;
import dept.prep.io.AtomicOutput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import org.apache.spark.sql.Row;
import java.util.List;
import java.util.Map;

/**
 * {@code dept report}: {@code reports/<run>/report.md} with PNG charts of every trained variant,
 * from what {@code dept evaluate} summarised and the train stage's curves.
 */
public final class ReportStage implements Stage {

  @Override
  public String name() {
    return "report";
  }

  @Override
  public void run(StageContext ctx) {
    ctx.requireComplete(ctx.layout().comparison(), "evaluate");
    List<Comparison.VariantRun> runs = EvaluateStage.trainedRuns(ctx);
    Comparison comparison = new Comparison(ctx.spark(), ctx.hadoop());
    Map<String, Map<String, double[][]>> curves = new LinkedHashMap<>();
    Map<String, double[][]> bytes = new LinkedHashMap<>();
    for (Comparison.VariantRun run : runs) {
      curves.put(run.variant(), comparison.lossCurves(run));
      bytes.put(run.variant(), comparison.cumulativeMegabytesUp(run));
    }
    String run = ctx.config().run().name();
    String dir = ctx.layout().report(run);
    Report.write(dir, new Report.Contents("dept-spark run `" + run + "`: DEPT variants compared", comparison.read(ctx.layout().comparison()),
        comparison.bitsPerByte(runs), curves, bytes, scone(ctx), extension(ctx), earlyExit(ctx)), ctx.hadoop());
    System.out.printf("report: %s/report.md%n", dir);
  }

  /** The early-exit table `dept early-exit` wrote (null when it has not run). */
  private static List<dept.eval.EarlyExit.Point> earlyExit(StageContext ctx) {
    if (!AtomicOutput.isComplete(ctx.layout().earlyExit(), ctx.hadoop())) {
      return null;
    }
    return dept.eval.EarlyExit.summarize(dept.eval.EarlyExit.fromRows(ctx.spark().read().parquet(ctx.layout().earlyExit()).collectAsList()));
  }

  /** The configured extension's results (null when `dept extend` has not written them). */
  private static Report.Extend extension(StageContext ctx) {
    var cfg = ctx.config().extend();
    if (cfg.newSource() == null) {
      return null;
    }
    String results = ctx.layout().extensionResults(cfg.baseVariant(), cfg.newSource());
    String gates = ctx.layout().extensionGates(cfg.baseVariant(), cfg.newSource());
    if (!AtomicOutput.isComplete(results, ctx.hadoop()) || !AtomicOutput.isComplete(gates, ctx.hadoop())) {
      return null;
    }
    String sweepResults = ctx.layout().extensionSweepResults(cfg.baseVariant(), cfg.newSource());
    String sweepGates = ctx.layout().extensionSweepGates(cfg.baseVariant(), cfg.newSource());
    List<dept.eval.ExtensionFrontier.Point> sweep = AtomicOutput.isComplete(sweepResults, ctx.hadoop())
        && AtomicOutput.isComplete(sweepGates, ctx.hadoop())
        ? dept.eval.ExtensionFrontier.points(ctx.spark().read().parquet(sweepResults).collectAsList(),
            ctx.spark().read().parquet(sweepGates).collectAsList())
        : List.of();
    return new Report.Extend(cfg.baseVariant(), cfg.newSource(), dept.eval.Extension.summarize(
        dept.eval.Extension.resultsFrom(ctx.spark().read().parquet(results).collectAsList()),
        dept.eval.Extension.gatesFrom(ctx.spark().read().parquet(gates).collectAsList())), sweep, ExtendStage.setting(cfg));
  }

  /** The SCONE section from what evaluate and scone-scaling wrote (null when neither ran). */
  private static Report.Scone scone(StageContext ctx) {
    boolean lookup = AtomicOutput.isComplete(ctx.layout().sconeLookup(), ctx.hadoop());
    boolean scaling = AtomicOutput.isComplete(ctx.layout().sconeScaling(), ctx.hadoop());
    if (!lookup && !scaling) {
      return null;
    }
    List<SconeLookup.Row> rows = new ArrayList<>();
    if (lookup) {
      for (Row r : ctx.spark().read().parquet(ctx.layout().sconeLookup()).collectAsList()) {
        rows.add(new SconeLookup.Row(r.getAs("variant"), r.getAs("source"), r.getAs("tokenizer"), r.<Double>getAs("bits_per_byte_lookup"),
            r.<Double>getAs("bits_per_byte_fgram_model"), r.<Long>getAs("table_rows"), r.<Long>getAs("table_fgrams"),
            r.<Long>getAs("table_bytes"), r.<Double>getAs("lookup_us_per_token")));
      }
    }
    String variant = null;
    List<SconeScaling.Point> points = List.of();
    if (scaling) {
      List<Row> all = ctx.spark().read().parquet(ctx.layout().sconeScaling()).collectAsList();
      variant = all.isEmpty() ? null : all.get(0).getAs("variant");
      points = SconeScaling.fromRows(all);
    }
    return new Report.Scone(rows, variant, points);
  }
}
