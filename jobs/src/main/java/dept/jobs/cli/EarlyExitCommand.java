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
          + "token-layers not run and of multiply-adds executed (later layers really run only the tokens still in), and the "
          + "majority-class accuracy.",
      "Also trains the first +RTD variant with each generator of train.rtd.compare_generators (mlm, unigram, uniform), and "
          + "scores every discriminator on the same shared corrupted sets (one per generator kind) to show whether the "
          + "generator is needed. Writes evaluation/early_exit; the report plots token-layers not run vs accuracy."
    })
final class EarlyExitCommand extends StageCommand {

  @Override
  List<Stage> stages() {
    return List.of(new EarlyExitStage());
  }
}
