package dept.jobs.cli;

import dept.jobs.run.Stage;
import dept.jobs.stages.VocabStage;
import java.util.List;
import picocli.CommandLine.Command;

@Command(
    name = "vocab",
    mixinStandardHelpOptions = true,
    description = {
      "Train a byte-level BPE tokenizer per source and one global tokenizer on the temperature-weighted union.",
      "",
      "Spark counts words over the train split; merges run on the driver. Writes tokenizers/<name>/tokenizer.json "
          + "(HF tokenizers format) and the vocab/ table."
    })
final class VocabCommand extends StageCommand {

  @Override
  List<Stage> stages() {
    return List.of(new VocabStage());
  }
}
