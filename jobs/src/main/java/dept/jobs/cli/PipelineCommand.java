package dept.jobs.cli;

import dept.jobs.stages.IngestJob;
import java.util.List;
import picocli.CommandLine.Command;

@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    description = {
      "Run every implemented stage in order in one Spark session: " + PipelineCommand.ORDER + ".",
      "Stages planned next: vocab, tokenize, ngrams, train, scone-precompute, evaluate, extend, report."
    })
final class PipelineCommand extends StageCommand {

  static final String ORDER = "ingest";

  @Override
  List<Stage> stages() {
    return List.of(new IngestJob());
  }
}
