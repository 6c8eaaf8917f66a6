package dept.jobs.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * README command 1 on the embedded sample (conf/local.yaml: every stage and variant; one source per
 * script and domain, {@link CliRun#SCRIPT_SOURCES}), run once per test JVM for the tests that only
 * read its outputs. The model and vocabularies are the
 * smallest ({@link CliRun#SMALL_MODEL}), trained for 2 rounds, SCONE's scaling runs one f-gram
 * count and one depth, early exit compares one other generator at two thresholds, the extension sweeps neutral residues over one
 * more lr, alpha and data mix, and evaluate also scores a held-out
 * corpus ({@link #HELD_OUT}): the readers check outputs and
 * plumbing, and the one learning check (extension learns el) holds at that size.
 */
public final class SamplePipeline {

  /** The run's result and its output root. */
  public record Run(CliRun.Result pipeline, Path out) {

    /** Arguments for {@code stage} on this run's output with its settings, then {@code extra}. */
    public String[] args(String stage, String... extra) {
      return SamplePipeline.args(out, stage, extra);
    }
  }

  /** The held-out corpus the pipeline's evaluate stage scores: the whole sample, languages no source saw included. */
  public static final String HELD_OUT = "../data-prep/sample/sample.jsonl";

  private static Run run;

  private SamplePipeline() {}

  public static synchronized Run get() {
    if (run == null) {
      run = execute();
    }
    return run;
  }

  private static Run execute() {
    try {
      Path out = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "sample-pipeline-").resolve("out");
      return new Run(CliRun.run(args(out, "pipeline", "--heldout", HELD_OUT)), out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String[] args(Path out, String stage, String... extra) {
    List<String> all = new ArrayList<>(CliRun.SMALL_MODEL);
    // conf/local.yaml's variants and SPEC+GLOBALVOCAB, whose tables read a tokenizer not of their name.
    all.addAll(List.of("--set", "train.variants=[STD, ACT, GLOB, TRIM, SPEC, SPEC+SCONE, SPEC+RTD, SPEC+GLOBALVOCAB]"));
    all.addAll(List.of("--set", "train.rounds=2", "--set", "train.scone.scaling.fgrams=[500]", "--set", "train.rtd.compare_generators=[uniform]", "--set", "train.rtd.thresholds=[1.0, 0.9]",
        "--set", "extend.sweep.methods=[neutral]", "--set", "extend.sweep.lrs=[6.0e-3]", "--set", "extend.sweep.alphas=[0]",
        "--set", "extend.sweep.original_fractions=[0]"));
    all.addAll(CliRun.SCRIPT_SOURCES);
    all.addAll(List.of(extra));
    return CliRun.onSample(stage, out, all.toArray(new String[0]));
  }
}
