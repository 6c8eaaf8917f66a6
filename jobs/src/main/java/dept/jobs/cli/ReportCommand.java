package dept.jobs.cli;

import dept.jobs.run.Stage;
import dept.jobs.stages.ReportStage;
import java.util.List;
import picocli.CommandLine.Command;

@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Write reports/<run.name>/report.md with PNG charts: bits per byte per source and variant, validation loss "
          + "over rounds per variant, cumulative bytes communicated, embedding memory."
    })
final class ReportCommand extends StageCommand {

  @Override
  List<Stage> stages() {
    return List.of(new ReportStage());
  }
}
