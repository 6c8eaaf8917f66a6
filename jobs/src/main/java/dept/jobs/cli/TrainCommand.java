package dept.jobs.cli;

import dept.jobs.run.Stage;
import dept.jobs.stages.TrainStage;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "DEPT partitioned pre-training: R rounds of H local steps per source on Spark executors, the body "
          + "aggregated on the driver every round.",
      "",
      "Variants (train.variants): STD (one model on the temperature-sampled mixture), ACT (STD with active "
          + "forgetting), GLOB (global vocabulary, embeddings averaged), TRIM (each source trains only the "
          + "rows it uses), SPEC (own tokenizer and embeddings per source; only the body is sent). Suffixes: "
          + "+SCONE (f-gram inputs), +RTD (replaced-token detection), SPEC+GLOBALVOCAB (SPEC's private "
          + "embeddings on the global tokenizer).",
      "Writes train/<variant>/{checkpoints,model,metrics,validation,timings}. Checkpoints every "
          + "train.checkpoint_every rounds; --resume continues from the newest complete one."
    })
final class TrainCommand extends StageCommand {

  @Option(names = "--variant", paramLabel = "VARIANT", description = "Train only this variant (STD, ACT, GLOB, TRIM, SPEC, with suffixes, e.g. SPEC+GLOBALVOCAB) instead of train.variants")
  String variant;

  @Option(names = "--resume", description = "Continue each variant from its newest complete checkpoint (the same settings are required); without it a run starts over")
  boolean resume;

  @Override
  List<Stage> stages() {
    return List.of(new TrainStage(variant, resume));
  }
}
