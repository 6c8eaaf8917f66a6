package dept.jobs.stages;

import dept.jobs.run.Stage;
import dept.jobs.run.StageContext;
import dept.prep.ingest.FileTask;
import dept.prep.ingest.IngestConfig;
import dept.prep.ingest.IngestResult;
import dept.prep.ingest.IngestJob;
import dept.prep.ingest.IngestSummary;
import dept.prep.ingest.InputPlanner;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code dept ingest}: plans the inputs (failing fast), runs {@link IngestJob}, writes its outputs. */
public final class IngestStage implements Stage {

  private static final Logger LOG = LoggerFactory.getLogger(IngestStage.class);

  @Override
  public String name() {
    return "ingest";
  }

  @Override
  public void run(StageContext ctx) {
    IngestConfig config = ctx.config().ingest();
    List<FileTask> tasks = new InputPlanner(ctx.hadoop()).plan(config);
    LOG.info("ingest: {} sources, {} input files", config.sources().size(), tasks.size());

    IngestJob stage = new IngestJob(ctx.spark(), config, ctx.hadoop());
    IngestResult result = stage.run(tasks);
    try {
      IngestSummary summary = stage.write(result, ctx.layout().documents(), ctx.layout().rejects(), ctx.layout().sourceStats());
      System.out.print(summary.table());
      System.out.printf("documents: %s%nrejects:   %s%nstats:     %s%n",
          ctx.layout().documents(), ctx.layout().rejects(), ctx.layout().sourceStats());
      if (!summary.balanced()) {
        throw new IllegalStateException("ingest lost records: rows in != out + rejected (a bug; see the table above)");
      }
      warnAboutEmptySources(config, summary);
    } finally {
      result.release();
    }
  }

  /** A source left with no documents is named, with why, instead of silently vanishing downstream. */
  private static void warnAboutEmptySources(IngestConfig config, IngestSummary summary) {
    List<String> empty = new java.util.ArrayList<>();
    for (var spec : config.sources()) {
      var stats = summary.sources().stream().filter(s -> s.source().equals(spec.name())).findFirst();
      if (stats.isEmpty() || stats.get().written() == 0) {
        empty.add(spec.name());
        String why = stats.map(s -> s.read() + " records read, all rejected " + s.rejected()).orElse("no record matched its inputs and filter");
        System.out.printf("WARNING: source %s has no valid documents (%s); vocab, tokenize and train leave it out%n", spec.name(), why);
      }
    }
    if (empty.size() == config.sources().size()) {
      throw new IllegalArgumentException("ingest: no source has any valid document (" + String.join(", ", empty)
          + "); see rejects/ for why");
    }
  }
}
