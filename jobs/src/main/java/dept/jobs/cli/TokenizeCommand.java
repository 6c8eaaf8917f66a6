package dept.jobs.cli;

import dept.jobs.run.Stage;
import dept.jobs.stages.TokenizeStage;
import java.util.List;
import picocli.CommandLine.Command;

@Command(
    name = "tokenize",
    mixinStandardHelpOptions = true,
    description = {
      "Encode every document with its source's tokenizer and the global one, and pack fixed blocks of seq_len + 1 tokens.",
      "",
      "Writes blocks/ (partitioned by tokenizer and source), tokenize_stats/ (bytes per token) and "
          + "embedding_memory/ (per DEPT variant)."
    })
final class TokenizeCommand extends StageCommand {

  @Override
  List<Stage> stages() {
    return List.of(new TokenizeStage());
  }
}
