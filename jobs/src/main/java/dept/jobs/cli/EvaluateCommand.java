package dept.jobs.cli;

import dept.jobs.run.Stage;
import dept.jobs.stages.EvaluateStage;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = {
      "Compare every trained variant (train.variants with a complete model): validation bits per byte averaged "
          + "over sources uniformly and by bytes, loss, body and embedding parameters, bytes communicated, wall "
          + "time and tokens/s.",
      "",
      "Writes evaluation/comparison (Parquet), evaluation/comparison.md and evaluation/bits_per_byte (per source).",
      "With --heldout, also scores every variant on that corpus with each tokenizer it has embeddings for "
          + "(evaluation/heldout; the best tokenizer is marked: for an unseen source, that is the one to report)."
    })
final class EvaluateCommand extends StageCommand {

  @Option(names = "--heldout", paramLabel = "PATH", description = "A held-out corpus: JSONL with a text field, or plain text (one document per line)")
  String heldOut;

  @Override
  List<Stage> stages() {
    return List.of(new EvaluateStage(heldOut));
  }
}
