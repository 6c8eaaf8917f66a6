package dept.jobs.cli;

import dept.jobs.run.OutputLayout;
import dept.jobs.run.StageContext;
import dept.jobs.run.Stage;
import dept.jobs.stages.IngestStage;
import dept.jobs.stages.NgramsStage;
import dept.jobs.stages.TokenizeStage;
import dept.jobs.stages.VocabStage;
import dept.jobs.study.StudyStage;
import dept.prep.io.AtomicOutput;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "study",
    mixinStandardHelpOptions = true,
    description = {
      "A small-scale reproduction of the papers' claims (conf/study.yaml): prepares the corpus once (ingest, vocab, "
          + "tokenize, and ngrams when an arm has +SCONE), then trains every arm once per seed with the same body and token budget: "
          + "STD at each study.std_temperatures, matched to the DEPT arms on sequential steps (std-dp: a K x B batch), on "
          + "tokens (std-seq: K x H steps at batch B) and/or as the IID control (std-iid: K replicas of the mixture), then "
          + "study.variants (GLOB, TRIM, SPEC, ...), then study.lr_sweep's and study.scone's arms; every arm is scored on the "
          + "same validation bytes (train.eval_bytes); extends each seed's extend.base_variant to extend.new_source with "
          + "study.extend_methods.",
      "Writes study/seed-<s>/<arm>/ (complete runs on the shared data), study/results/{arms,sources,extension} "
          + "(Parquet) and study/report/ (report.md with mean and spread over seeds, paired differences, PNG charts)."
    })
final class StudyCommand extends StageCommand {

  @Option(names = "--resume", description = "Keep the data stages' outputs and every arm and extension an interrupted study completed "
      + "(the config must not have changed); without it everything is recomputed")
  boolean resume;

  @Override
  List<Stage> stages() {
    return List.of(
        keptWhenResuming(new IngestStage(), OutputLayout::documents),
        keptWhenResuming(new VocabStage(), OutputLayout::vocab),
        keptWhenResuming(new TokenizeStage(), OutputLayout::blocks),
        onlyWithScone(keptWhenResuming(new NgramsStage(), OutputLayout::fgrams)),
        new StudyStage(resume));
  }

  /** {@code stage} (the n-gram tables) only when some arm has SCONE's f-gram inputs: nothing else reads them. */
  private static Stage onlyWithScone(Stage stage) {
    return new Stage() {
      private boolean skipped;

      @Override
      public String name() {
        return stage.name();
      }

      @Override
      public void run(StageContext ctx) {
        skipped = ctx.config().study().variants().stream().noneMatch(dept.train.rounds.Variant::scone);
        if (skipped) {
          System.out.printf("%s: skipped (no +SCONE arm in study.variants reads the f-grams)%n", stage.name());
        } else {
          stage.run(ctx);
        }
      }

      @Override
      public boolean wroteOutputs() {
        return !skipped && stage.wroteOutputs();
      }
    };
  }

  /** {@code stage}, skipped under --resume when its output is complete. */
  private Stage keptWhenResuming(Stage stage, Function<OutputLayout, String> output) {
    return new Stage() {
      private boolean kept;

      @Override
      public String name() {
        return stage.name();
      }

      @Override
      public void run(StageContext ctx) {
        String path = output.apply(ctx.layout());
        kept = resume && AtomicOutput.isComplete(path, ctx.hadoop());
        if (kept) {
          System.out.printf("%s: kept %s (--resume)%n", stage.name(), path);
        } else {
          stage.run(ctx);
        }
      }

      @Override
      public boolean wroteOutputs() {
        return !kept;
      }
    };
  }
}
