package dept.jobs.cli;

import dept.jobs.stages.EarlyExitJob;
import dept.jobs.stages.EvaluateJob;
import dept.jobs.stages.ExtendJob;
import dept.jobs.stages.IngestJob;
import dept.jobs.stages.NgramsJob;
import dept.jobs.stages.ReportJob;
import dept.jobs.stages.SconePrecomputeJob;
import dept.jobs.stages.SconeScalingJob;
import dept.jobs.stages.TrainJob;
import dept.jobs.stages.TokenizeJob;
import dept.jobs.stages.VocabJob;
import java.util.List;
import picocli.CommandLine.Command;

@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    description = {
      "Run every implemented stage in order in one Spark session: " + PipelineCommand.ORDER + ".",
      "extend runs when extend.new_source is set and its base variant was trained."
    })
public final class PipelineCommand extends StageCommand {

  public static final String ORDER = "ingest, vocab, tokenize, ngrams, train, scone-precompute, scone-scaling, extend, early-exit, evaluate, report";

  @Override
  List<Stage> stages() {
    return List.of(new IngestJob(), new VocabJob(), new TokenizeJob(), new NgramsJob(), new TrainJob(null, false), new SconePrecomputeJob(),
        new SconeScalingJob(), new ExtendJob(null, null, false), new EarlyExitJob(), new EvaluateJob(null),
        new ReportJob());
  }
}
