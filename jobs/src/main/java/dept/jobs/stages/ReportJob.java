package dept.jobs.stages;

import dept.eval.Comparison;
import dept.eval.Report;
import dept.jobs.cli.Stage;
import dept.jobs.cli.StageContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code dept report}: {@code reports/<run>/report.md} with PNG charts of every trained variant,
 * from what {@code dept evaluate} summarised and the train stage's curves.
 */
public final class ReportJob implements Stage {

  @Override
  public String name() {
    return "report";
  }

  @Override
  public void run(StageContext ctx) {
    ctx.requireComplete(ctx.layout().comparison(), "evaluate");
    List<Comparison.VariantRun> runs = EvaluateJob.trainedRuns(ctx);
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
        comparison.bitsPerByte(runs), curves, bytes), ctx.hadoop());
    System.out.printf("report: %s/report.md%n", dir);
  }
}
