package dept.jobs.cli;

import dept.jobs.run.Stage;
import dept.jobs.stages.NgramsStage;
import java.util.List;
import picocli.CommandLine.Command;

@Command(
    name = "ngrams",
    mixinStandardHelpOptions = true,
    description = {
      "Count token n-grams (n = 2..max_n) per source and for the global tokenizer, select SCONE's top-K f-grams.",
      "",
      "N-grams never cross <|eos|> or padding. Writes ngrams/ (count >= min_count), fgrams/ (stable f-gram ids) "
          + "and fgram_coverage/ (validation positions covered, per K)."
    })
final class NgramsCommand extends StageCommand {

  @Override
  List<Stage> stages() {
    return List.of(new NgramsStage());
  }
}
