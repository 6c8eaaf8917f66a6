package dept.jobs.cli;

import dept.prep.SparkTestSession;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs the CLI in-process for tests, capturing stdout and stderr. */
public final class CliRun {

  public record Result(int exit, String out, String err) {}

  /**
   * The smallest model (d 32, one layer) on small vocabularies (512 per source, 1024 global) and
   * 64-token blocks: for runs whose tests assert plumbing, not how well a full-size model learns.
   */
  public static final List<String> SMALL_MODEL = List.of("--set", "model.d_model=32", "--set", "model.layers=1", "--set", "model.heads=2",
      "--set", "vocab.vocab_size=512", "--set", "vocab.global_vocab_size=1024", "--set", "tokenize.seq_len=64");

  /**
   * Three training sources of different scripts (en, ja, ru) and the new source el, read from
   * {@code input}: for runs that test a path through the stages (a submit, a file system, a
   * resume, the study's bookkeeping), not what nine sources give. Goes after {@link #onSample}'s
   * arguments, whose per-source input overrides it replaces.
   */
  public static List<String> fewSources(String input) {
    String inputs = "inputs: [" + input + "], format: jsonl";
    return List.of("--set", "ingest.sources=["
        + "{name: en, " + inputs + ", filter: {lang: [en]}}, "
        + "{name: ja, " + inputs + ", filter: {lang: [ja]}}, "
        + "{name: ru, " + inputs + ", filter: {lang: [ru, uk, bg]}}, "
        + "{name: el, " + inputs + ", filter: {lang: [el]}}]");
  }

  /**
   * One source per script and domain of conf/local.yaml's nine: en (Latin; de, es and fr behave
   * alike), ru (Cyrillic), zh (Han), ja (kana and Han), code (whitespace kept) and the new source
   * el (Greek), on the embedded sample: for the shared pipeline whose outputs tests read.
   */
  public static final List<String> SCRIPT_SOURCES = List.of("--set", "ingest.sources=["
      + "{name: en, inputs: [../data-prep/sample/sample.jsonl], format: jsonl, filter: {lang: [en]}}, "
      + "{name: ru, inputs: [../data-prep/sample/sample.jsonl], format: jsonl, filter: {lang: [ru, uk, bg]}}, "
      + "{name: zh, inputs: [../data-prep/sample/sample.jsonl], format: jsonl, filter: {lang: [zh, zh-cn]}}, "
      + "{name: ja, inputs: [../data-prep/sample/sample.jsonl], format: jsonl, filter: {lang: [ja]}}, "
      + "{name: code, inputs: [../data-prep/sample/sample.jsonl], format: jsonl, filter: {domain: [code]}, whitespace: preserve}, "
      + "{name: el, inputs: [../data-prep/sample/sample.jsonl], format: jsonl, filter: {lang: [el]}}]");

  /** {@link #fewSources(String)} on the embedded sample. */
  public static final List<String> FEW_SOURCES = fewSources("../data-prep/sample/sample.jsonl");

  private CliRun() {}

  public static Result run(String... args) {
    SparkTestSession.stop(); // the CLI starts and stops its own session, as it does outside tests
    StringWriter err = new StringWriter();
    PrintStream stdout = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      int exit = DeptCli.execute(new PrintWriter(err, true), args);
      return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString());
    } finally {
      System.setOut(stdout);
    }
  }

  /** How many sources conf/local.yaml declares (each reads the sample; tests run from jobs/, so paths are re-pointed). */
  public static int sampleSources() {
    return new dept.jobs.config.ConfigLoader().load(Path.of("../conf/local.yaml"), List.of()).ingest().sources().size();
  }

  /**
   * Arguments for {@code stage} with conf/local.yaml on the embedded sample, outputs under {@code
   * output}, Spark local[2] with one shuffle partition per core, then {@code extra}. Tests run in jobs/, so the config's
   * repository-relative input paths are re-pointed.
   */
  public static String[] onSample(String stage, Path output, String... extra) {
    List<String> all = new ArrayList<>(List.of(stage, "--config", "../conf/local.yaml",
        "--set", "run.output=" + output, "--set", "spark.master=local[2]", "--set", "spark.shuffle_partitions=2"));
    for (int i = 0; i < sampleSources(); i++) {
      all.addAll(List.of("--set", "ingest.sources[" + i + "].inputs=[../data-prep/sample/sample.jsonl]"));
    }
    all.addAll(List.of(extra));
    return all.toArray(new String[0]);
  }
}
