package dept.jobs.cli;

import dept.jobs.run.Stage;
import dept.jobs.stages.IngestStage;
import java.util.List;
import picocli.CommandLine.Command;

@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description = {
      "Read the configured sources (jsonl, text-lines, text-files, parquet), clean, de-duplicate and split them.",
      "",
      "Writes documents/ (partitioned by source), rejects/ and source_stats/ under run.output, and prints "
          + "rows read / written / rejected per source."
    })
final class IngestCommand extends StageCommand {

  @Override
  List<Stage> stages() {
    return List.of(new IngestStage());
  }
}
