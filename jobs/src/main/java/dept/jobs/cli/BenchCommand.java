package dept.jobs.cli;

import dept.jobs.bench.IngestBenchmark;
import dept.jobs.config.ConfigLoader;
import dept.jobs.config.PipelineConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.zip.GZIPInputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measure stage throughput against peers run in the same process, and print a table.",
      "",
      "Today: ingest (the config's sources re-pointed at --input) vs Spark's JSON reader and a plain "
          + "single-threaded Java loop."
    })
final class BenchCommand implements Callable<Integer> {

  @Mixin ConfigOptions options;

  @Option(
      names = "--input",
      paramLabel = "PATH",
      description = "A local jsonl or jsonl.gz corpus (default: ../shared/corpora/bench.jsonl.gz when present, else the embedded sample)")
  Path input;

  @Option(names = "--repeats", paramLabel = "N", defaultValue = "2", description = "Runs per contender; the fastest counts (default: ${DEFAULT-VALUE})")
  int repeats;

  @Override
  public Integer call() throws IOException {
    if (repeats < 1) {
      throw new IllegalArgumentException("--repeats must be >= 1, got " + repeats);
    }
    Path corpus = input != null ? input : defaultCorpus();
    if (!Files.isRegularFile(corpus)) {
      throw new IllegalArgumentException("--input: no such file: " + corpus);
    }
    ConfigLoader loader = new ConfigLoader();
    PipelineConfig config = loader.load(options.config, options.overrides);
    long bytes = uncompressedBytes(corpus);
    try (StageContext ctx = new StageContext(config, loader)) {
      Path work = Files.createTempDirectory("dept-bench-");
      IngestBenchmark bench =
          new IngestBenchmark(ctx.spark(), IngestBenchmark.onInput(config.ingest(), corpus.toAbsolutePath().toString()), work);
      var rows = bench.run(corpus.toAbsolutePath().toString(), bytes, repeats);
      System.out.print(IngestBenchmark.table(rows, corpus.toString(), ctx.spark().sparkContext().master(), repeats));
      org.apache.commons.io.FileUtils.deleteQuietly(work.toFile());
    }
    return 0;
  }

  private static Path defaultCorpus() {
    Path shared = Path.of("../shared/corpora/bench.jsonl.gz");
    return Files.isRegularFile(shared) ? shared : Path.of("data-prep/sample/sample.jsonl");
  }

  private static long uncompressedBytes(Path corpus) throws IOException {
    try (InputStream raw = Files.newInputStream(corpus);
        InputStream in = corpus.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw) {
      return in.transferTo(java.io.OutputStream.nullOutputStream());
    }
  }
}
