package dept.jobs.cli;

import dept.jobs.run.StageContext;
import dept.jobs.run.Stage;
import dept.jobs.config.ConfigLoader;
import dept.jobs.config.PipelineConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/** A picocli command that loads the config and runs one or more {@link Stage}s in one session. */
abstract class StageCommand implements Callable<Integer> {

  @Mixin ConfigOptions options;

  private boolean stageFinished;

  /** The stages this command runs, in order. */
  abstract java.util.List<Stage> stages();

  @Override
  public Integer call() {
    ConfigLoader loader = new ConfigLoader();
    PipelineConfig config = loader.load(options.config, options.overrides);
    try (StageContext context = new StageContext(config, loader)) {
      for (Stage stage : stages()) {
        long start = System.nanoTime();
        System.out.printf("== %s ==%n", stage.name());
        context.describe(stage.name());
        stage.run(context);
        if (stage.wroteOutputs()) {
          context.writeEffectiveConfig(stage.name());
        }
        System.out.printf("== %s done in %.1f s ==%n", stage.name(), (System.nanoTime() - start) / 1e9);
        stageFinished = true;
      }
    }
    return 0;
  }

  /** Whether an earlier stage of this command has done its work, so that any error now is a failure during the work. */
  boolean workStarted() {
    return stageFinished;
  }
}
