package dept.jobs.cli;

import dept.jobs.run.Stage;
import dept.jobs.stages.SconePrecomputeStage;
import java.util.List;
import picocli.CommandLine.Command;

@Command(
    name = "scone-precompute",
    mixinStandardHelpOptions = true,
    description = {
      "Precompute SCONE's inference table: for every trained +SCONE variant (e.g. SPEC+SCONE in train.variants), "
          + "run its f-gram model over every f-gram (and take every token's row) in Spark tasks and write "
          + "scone/<variant>/fgram_embeddings/table=<tokenizer>/ Parquet (ngram, n, embedding).",
      "`dept evaluate` then scores these variants through the table, with the f-gram model switched off."
    })
final class SconePrecomputeCommand extends StageCommand {

  @Override
  List<Stage> stages() {
    return List.of(new SconePrecomputeStage());
  }
}
