package dept.jobs.cli;

import dept.jobs.run.Stage;
import dept.jobs.stages.SconeScalingStage;
import java.util.List;
import picocli.CommandLine.Command;

@Command(
    name = "scone-scaling",
    mixinStandardHelpOptions = true,
    description = {
      "SCONE's scaling knobs, one at a time, on the first +SCONE variant of train.variants: the number of f-grams "
          + "(train.scone.scaling.fgrams) and the f-gram model's depth (train.scone.scaling.layers), each a full training "
          + "run with the train stage's settings, next to the variant without SCONE.",
      "Writes evaluation/scone_scaling (validation bits per byte, table size, main-model FLOPs per token); the report plots it."
    })
final class SconeScalingCommand extends StageCommand {

  @Override
  List<Stage> stages() {
    return List.of(new SconeScalingStage());
  }
}
