package dept.jobs.cli;

import dept.jobs.stages.EvaluateJob;
import java.util.List;
import picocli.CommandLine.Command;

@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = {
      "Compare every trained variant (train.variants with a complete model): validation bits per byte averaged "
          + "over sources uniformly and by bytes, loss, body and embedding parameters, bytes communicated, wall "
          + "time and tokens/s.",
      "",
      "Writes evaluation/comparison (Parquet), evaluation/comparison.md and evaluation/bits_per_byte (per source)."
    })
final class EvaluateCommand extends StageCommand {

  @Override
  List<Stage> stages() {
    return List.of(new EvaluateJob());
  }
}
