package dept.jobs.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * README command 1 on the embedded sample (conf/local.yaml: every stage, variant and source), run
 * once per test JVM for the tests that only read its outputs: `dept ingest`, then `dept pipeline`
 * into the same output (which ingests again). The documents the first ingest wrote are kept aside,
 * so a test can show the re-run replaced them with identical ones. The model is the smallest
 * ({@link CliRun#SMALL_MODEL}), trained for 2 rounds, and SCONE's scaling runs one f-gram count and
 * one depth: the readers check outputs and plumbing, and the one learning check (extension learns
 * el) holds at that size.
 */
public final class SamplePipeline {

  /** The two runs' results, the output root and the first ingest's documents. */
  public record Run(CliRun.Result ingest, Path ingestedDocuments, CliRun.Result pipeline, Path out) {

    /** Arguments for {@code stage} on this run's output with its settings, then {@code extra}. */
    public String[] args(String stage, String... extra) {
      return SamplePipeline.args(out, stage, extra);
    }
  }

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
      Path root = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "sample-pipeline-");
      Path out = root.resolve("out");
      CliRun.Result ingest = CliRun.run(args(out, "ingest"));
      Path ingested = root.resolve("ingested-documents");
      copyTree(out.resolve("documents"), ingested);
      CliRun.Result pipeline = CliRun.run(args(out, "pipeline"));
      return new Run(ingest, ingested, pipeline, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String[] args(Path out, String stage, String... extra) {
    List<String> all = new ArrayList<>(CliRun.SMALL_MODEL);
    all.addAll(List.of("--set", "train.rounds=2", "--set", "train.scone.scaling.fgrams=[500]"));
    all.addAll(List.of(extra));
    return CliRun.onSample(stage, out, all.toArray(new String[0]));
  }

  private static void copyTree(Path from, Path to) throws IOException {
    if (!Files.exists(from)) {
      return; // ingest failed: the test that asserts its exit code says so
    }
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
  }
}
