package dept.jobs.cli;

import dept.jobs.run.Stage;
import dept.jobs.stages.ExtendStage;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "extend",
    mixinStandardHelpOptions = true,
    description = {
      "Extend a trained variant to a source it never saw with neutral residues (arXiv 2410.02744): gated adapters in "
          + "parallel with each MLP, trained on new-source batches mixed with original ones (extend.original_fraction), "
          + "with an L1 penalty on their output on original batches; the base stays frozen.",
      "Runs the baselines in the same command (extend.methods: plain adapters, LoRA at the same parameter budget, full "
          + "fine-tuning), one Spark task each, and writes extend/<base>-<new>/{results,gates,params}: the new source's bits "
          + "per byte, every original source's change (the forgetting), and the gates on old vs new data.",
      "The new source must be ingested and tokenized but kept out of `dept train`: extend.new_source does that."
    })
final class ExtendCommand extends StageCommand {

  @Option(names = "--base-run", paramLabel = "VARIANT", description = "The trained variant to extend (train/<variant>/model; default: extend.base_variant)")
  String baseRun;

  @Option(names = "--new-source", paramLabel = "SOURCE", description = "The source to add (default: extend.new_source)")
  String newSource;

  @Override
  List<Stage> stages() {
    return List.of(new ExtendStage(baseRun, newSource, true));
  }
}
