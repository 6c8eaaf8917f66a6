package dept.jobs.cli;

import dept.jobs.run.Stage;
import dept.jobs.stages.EarlyExitStage;
import dept.jobs.stages.EvaluateStage;
import dept.jobs.stages.ExtendStage;
import dept.jobs.stages.IngestStage;
import dept.jobs.stages.NgramsStage;
import dept.jobs.stages.ReportStage;
import dept.jobs.stages.SconePrecomputeStage;
import dept.jobs.stages.SconeScalingStage;
import dept.jobs.stages.TrainStage;
import dept.jobs.stages.TokenizeStage;
import dept.jobs.stages.VocabStage;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    description = {
      "Run every implemented stage in order in one Spark session: " + PipelineCommand.ORDER + ".",
      "extend runs when extend.new_source is set and its base variant was trained.",
      "With --heldout, evaluate also scores every variant on that corpus (as dept evaluate --heldout)."
    })
public final class PipelineCommand extends StageCommand {

  @Option(names = "--heldout", paramLabel = "PATH", description = "A held-out corpus for the evaluate stage: JSONL with a text field, or plain text (one document per line)")
  String heldOut;

  public static final String ORDER = "ingest, vocab, tokenize, ngrams, train, scone-precompute, scone-scaling, extend, early-exit, evaluate, report";

  @Override
  List<Stage> stages() {
    return List.of(new IngestStage(), new VocabStage(), new TokenizeStage(), new NgramsStage(), new TrainStage(null, false), new SconePrecomputeStage(),
        new SconeScalingStage(), new ExtendStage(null, null, false), new EarlyExitStage(), new EvaluateStage(heldOut),
        new ReportStage());
  }
}
