package dept.jobs.cli;

import dept.jobs.run.Stage;
import dept.jobs.stages.EarlyExitStage;
import java.util.List;
import picocli.CommandLine.Command;

@Command(
    name = "early-exit",
    mixinStandardHelpOptions = true,
    description = {
      "Score ELECTRA replaced-token detection for every trained +RTD variant (or train.objective: rtd): per source and exit "
          + "threshold (train.rtd.thresholds), the accuracy and AUC of the prediction each token exited with, the share of "
          + "token-layer computations skipped, and the majority-class accuracy.",
      "Also trains the first +RTD variant with each generator of train.rtd.compare_generators (mlm, unigram, uniform) to "
          + "show whether the generator is needed. Writes evaluation/early_exit; the report plots compute saved vs accuracy."
    })
final class EarlyExitCommand extends StageCommand {

  @Override
  List<Stage> stages() {
    return List.of(new EarlyExitStage());
  }
}
