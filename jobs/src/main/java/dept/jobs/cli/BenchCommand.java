package dept.jobs.cli;

import dept.jobs.run.StageContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import dept.jobs.bench.BenchSummary;
import dept.jobs.bench.IngestBenchmark;
import dept.jobs.bench.ParallelismBenchmark;
import dept.jobs.bench.NgramBenchmark;
import dept.jobs.bench.TokenizerBenchmark;
import dept.jobs.bench.TrainerBenchmark;
import dept.jobs.config.ConfigLoader;
import dept.jobs.config.PipelineConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measure stages against peers run in the same process, print a table per benchmark, and end with one summary "
          + "table: each figure, the peer's figure from the same run, and their ratio.",
      "",
      "parallelism: each data stage's job (ingest, vocab word counts, tokenize, ngrams) under local[1] and local[2] "
          + "(and local[cores]), each in its own session, on the same files.",
      "ingest: the config's sources re-pointed at --input, vs Spark's JSON reader and a plain Java loop.",
      "tokenizer: BPE training vs SentencePiece (spm_train, when installed), encoding vs HF tokenizers "
          + "(one thread and the Spark job), training time at 1x/2x/4x input.",
      "trainer: local-trainer tokens/s and ms/step for three model sizes vs this machine's DJL matmul peak.",
      "ngrams: n-gram counting at 1x/2x/4x vs MLlib NGram + CountVectorizer, and f-gram matcher lookups/s.",
      "rounds: DEPT rounds per variant on the pipeline's blocks (run `dept pipeline` first): Spark overhead vs "
          + "training compute at H local steps, a plain DJL loop as the peer, bytes per round vs data-parallel STD, "
          + "embedding parameters per variant.",
      "scone: SCONE at inference on the first +SCONE variant (run `dept pipeline` first): a batch's input embeddings "
          + "from the lookup table vs the f-gram model, per batch and per token; precompute f-grams/s, the Spark job vs "
          + "one process; host memory per million f-grams from a synthetic table.",
      "rtd: ELECTRA pre-training with and without early exit on the pipeline's global blocks (run `dept pipeline` first), 3 seeds: "
          + "detection accuracy and AUC on one fixed corrupted validation set, wall time, token-layers not run, a linear probe (MLlib) "
          + "for each token's source; then the discriminator's forward + backward time per step at each exit threshold vs no exit, "
          + "with the multiply-adds executed.",
      "scoring: the scoring stage (Spark ML, dept.train.ml) on the pipeline's validation documents vs dept evaluate's own scoring of "
          + "the same documents (run `dept pipeline` first), same model and cores; and the dept_score SQL function.",
      "traffic: what one round moves and holds (per task, through the driver) for 125M, 350M and 1.3B bodies at K = 8, "
          + "from the shapes alone, with the byte count the run's metrics use."
    })
final class BenchCommand implements Callable<Integer> {

  @Mixin ConfigOptions options;

  @Parameters(arity = "0..*", paramLabel = "BENCHMARK", description = "parallelism, ingest, tokenizer, trainer, ngrams, rounds, scone, rtd, scoring, traffic (default: all; "
      + "rounds, scone, rtd and scoring are skipped, with a line in the summary, when the config's output holds no `dept pipeline` run)")
  List<String> benchmarks = new ArrayList<>();

  @Option(
      names = "--input",
      paramLabel = "PATH",
      description = "A local jsonl or jsonl.gz corpus (default: ../shared/corpora/bench.jsonl.gz when present, else the embedded sample)")
  Path input;

  @Option(names = "--repeats", paramLabel = "N", defaultValue = "2", description = "ingest and parallelism: runs per contender or master; the fastest counts (default: ${DEFAULT-VALUE})")
  int repeats;

  @Option(names = "--train-mb", paramLabel = "MB", defaultValue = "16", description = "tokenizer: MB of text to train on at 4x (default: ${DEFAULT-VALUE})")
  int trainMb;

  @Option(names = "--encode-mb", paramLabel = "MB", defaultValue = "32", description = "tokenizer: MB of text to encode (default: ${DEFAULT-VALUE})")
  int encodeMb;

  @Option(names = "--vocab-size", paramLabel = "N", defaultValue = "8192", description = "tokenizer: vocabulary size (default: ${DEFAULT-VALUE})")
  int vocabSize;

  @Option(names = "--ngram-mb", paramLabel = "MB", defaultValue = "16", description = "ngrams: MB of text behind the 4x blocks (default: ${DEFAULT-VALUE})")
  int ngramMb;

  @Option(names = "--train-steps", paramLabel = "N", defaultValue = "30", description = "trainer: timed steps per model size (default: ${DEFAULT-VALUE})")
  int trainSteps;

  @Option(names = "--local-steps", paramLabel = "H", defaultValue = "50", description = "rounds: local steps per round (default: ${DEFAULT-VALUE})")
  int localSteps;

  @Option(names = "--rounds", paramLabel = "R", defaultValue = "4", description = "rounds: rounds per variant; the first is warm-up (default: ${DEFAULT-VALUE})")
  int rounds;

  @Option(names = "--sources", paramLabel = "LIST", split = ",", description = "rounds: sources to train (default: en,ja,ru,zh)")
  List<String> sources = new ArrayList<>(List.of("en", "ja", "ru", "zh"));

  @Option(names = "--variants", paramLabel = "LIST", split = ",", description = "rounds: variants (default: STD,GLOB,TRIM,SPEC)")
  List<String> variants = new ArrayList<>(List.of("STD", "GLOB", "TRIM", "SPEC"));

  @Option(names = "--parallel-mb", paramLabel = "MB", defaultValue = "16", description = "parallelism: MB of the corpus's jsonl the data stages process under local[1] and local[2] (default: ${DEFAULT-VALUE})")
  int parallelMb;

  @Option(names = "--summary", paramLabel = "FILE", description = "Also write the summary table (Markdown) to FILE")
  Path summaryFile;

  @Option(names = "--scone-fgrams", paramLabel = "N", defaultValue = "1000000", description = "scone: f-grams in the synthetic table (default: ${DEFAULT-VALUE})")
  int sconeFgrams;

  @Option(names = "--scone-batch", paramLabel = "B", defaultValue = "16", description = "scone: blocks per lookup batch (default: ${DEFAULT-VALUE})")
  int sconeBatch;

  @Option(names = "--rtd-steps", paramLabel = "N", defaultValue = "200", description = "rtd: pre-training steps per run (default: ${DEFAULT-VALUE})")
  int rtdSteps;

  @Option(names = "--rtd-generator", paramLabel = "G", defaultValue = "uniform",
      description = "rtd: mlm, unigram or uniform; uniform replacements are detectable within the default budget on 2 CPU cores, "
          + "an mlm generator's are not (default: ${DEFAULT-VALUE})")
  dept.train.rtd.RtdConfig.Generator rtdGenerator;

  @Option(names = "--rtd-batch", paramLabel = "B", defaultValue = "16", description = "rtd: blocks per step (default: ${DEFAULT-VALUE})")
  int rtdBatch;

  @Option(names = "--rtd-layers", paramLabel = "L", defaultValue = "4", description = "rtd: discriminator layers (default: ${DEFAULT-VALUE})")
  int rtdLayers;

  @Option(names = "--rtd-train-threshold", paramLabel = "T", defaultValue = "0.9",
      description = "rtd: exit confidence while pre-training with exit (default: ${DEFAULT-VALUE})")
  double rtdTrainThreshold;

  @Option(names = "--score-variant", paramLabel = "V", defaultValue = "GLOB",
      description = "scoring: a trained variant with the global tokenizer only (default: ${DEFAULT-VALUE})")
  String scoreVariant;

  @Option(names = "--score-copies", paramLabel = "N", defaultValue = "4",
      description = "scoring: the validation documents repeated N times (default: ${DEFAULT-VALUE})")
  int scoreCopies;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  static final List<String> ALL = List.of("parallelism", "ingest", "tokenizer", "trainer", "ngrams", "rounds", "scone", "rtd", "scoring",
      "traffic");

  @Override
  public Integer call() throws IOException, InterruptedException {
    List<String> chosen = benchmarks.isEmpty() ? ALL : benchmarks;
    for (String b : chosen) {
      if (!ALL.contains(b)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "unknown benchmark '" + b + "': choose from " + ALL);
      }
    }
    if (repeats < 1 || trainMb < 1 || encodeMb < 1 || parallelMb < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--repeats, --train-mb, --encode-mb and --parallel-mb must be >= 1");
    }
    if (rtdSteps < 1 || rtdBatch < 1 || rtdLayers < 1 || !(rtdTrainThreshold >= 0.5 && rtdTrainThreshold < 1)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--rtd-steps, --rtd-batch and --rtd-layers must be >= 1, "
          + "--rtd-train-threshold in [0.5, 1)");
    }
    if (scoreCopies < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--score-copies must be >= 1");
    }
    Path corpus = input != null ? input : defaultCorpus();
    boolean readsCorpus = chosen.stream().anyMatch(List.of("parallelism", "ingest", "ngrams", "tokenizer")::contains);
    if (readsCorpus && !Files.isRegularFile(corpus)) {
      throw new dept.prep.io.InputPathException("--input: no such file: " + corpus);
    }
    ConfigLoader loader = new ConfigLoader();
    PipelineConfig config = loader.load(options.config, options.overrides);
    BenchSummary summary = new BenchSummary();
    long start = System.nanoTime();
    if (chosen.contains("traffic")) { // shapes only: no Spark, no data
      System.out.print(dept.jobs.bench.TrafficTable.run(8, summary));
    }
    if (chosen.contains("parallelism")) { // first: it starts sessions of its own, one per master
      Path parallelWork = Files.createTempDirectory("dept-bench-parallelism-");
      try {
        System.out.print(new ParallelismBenchmark(config, parallelWork, repeats).run(corpus, parallelMb * 1_000_000L, 4096, summary));
      } finally {
        org.apache.commons.io.FileUtils.deleteQuietly(parallelWork.toFile());
      }
    }
    try (StageContext ctx = new StageContext(config, loader)) {
      Path work = Files.createTempDirectory("dept-bench-");
      try {
        if (chosen.contains("ingest")) {
          String path = corpus.toAbsolutePath().toString();
          IngestBenchmark bench = new IngestBenchmark(ctx.spark(), IngestBenchmark.onInput(config.ingest(), path), work);
          var rows = bench.run(path, uncompressedBytes(corpus), repeats);
          System.out.print(IngestBenchmark.table(rows, corpus.toString(), ctx.spark().sparkContext().master(), repeats));
          rows.stream().skip(1).forEach(peer -> summary.add("ingest", "ingest MB/s (route, clean, dedup, split, write, stats)", rows.get(0).mbPerSecond(),
              peer.name().replaceFirst("^peer: ", ""), peer.mbPerSecond(), true));
          summary.add("ingest", "ingest s, median of " + repeats + " runs", rows.get(0).medianSeconds(),
              rows.get(1).name().replaceFirst("^peer: ", ""), rows.get(1).medianSeconds(), false);
        }
        if (chosen.contains("trainer")) {
          System.out.print(new TrainerBenchmark().run(trainSteps, summary));
        }
        if (chosen.contains("ngrams")) {
          List<String> docs = sampleDocuments(corpus, ngramMb * 1_000_000L, config.run().seed());
          System.out.print(new NgramBenchmark(ctx.spark()).run(docs, 4096, summary));
        }
        if (chosen.contains("rounds")) {
          String missing = benchmarks.isEmpty() ? missingPipeline(ctx, false) : null;
          if (missing != null) {
            summary.skipped("rounds", missing);
          } else {
            System.out.print(roundBenchmark(ctx, work, summary));
          }
        }
        if (chosen.contains("scone")) {
          String missing = benchmarks.isEmpty() ? missingPipeline(ctx, true) : null;
          if (missing != null) {
            summary.skipped("scone", missing);
          } else {
            System.out.print(sconeBenchmark(ctx, work, summary));
          }
        }
        if (chosen.contains("scoring")) {
          String missing = missingPipeline(ctx, false);
          if (missing == null && !dept.prep.io.AtomicOutput.isComplete(ctx.layout().trainModel(scoreVariant), ctx.hadoop())) {
            missing = "needs a trained " + scoreVariant + " under " + ctx.layout().root() + " (run `dept pipeline` first)";
          }
          if (missing != null && !benchmarks.isEmpty()) {
            throw new dept.prep.io.InputPathException("bench scoring " + missing);
          } else if (missing != null) {
            summary.skipped("scoring", missing);
          } else {
            System.out.print(new dept.jobs.bench.ScoringBenchmark(ctx.spark(), ctx.layout(), ctx.hadoop())
                .run(scoreVariant, scoreCopies, repeats, summary));
          }
        }
        if (chosen.contains("rtd")) {
          String missing = benchmarks.isEmpty() ? missingPipeline(ctx, false) : null;
          if (missing != null) {
            summary.skipped("rtd", missing);
          } else {
            System.out.print(rtdBenchmark(ctx, summary));
          }
        }
        if (chosen.contains("tokenizer")) {
          List<String> docs = sampleDocuments(corpus, encodeMb * 1_000_000L, config.run().seed());
          System.out.print(new TokenizerBenchmark(ctx.spark(), work, vocabSize).run(docs, trainMb * 1_000_000L, summary));
        }
      } finally {
        org.apache.commons.io.FileUtils.deleteQuietly(work.toFile());
      }
    }
    String table = String.format(java.util.Locale.ROOT, "%nsummary: %s on %s, %d cores, %.1f GiB max heap; %.1f min%n%n", String.join(", ", chosen),
        corpus, Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() / (1024.0 * 1024 * 1024),
        (System.nanoTime() - start) / 60e9) + summary.markdown();
    System.out.print(table);
    if (summaryFile != null) {
      dept.prep.io.AtomicOutput.writeFile(summaryFile.toAbsolutePath().toUri().toString(), table.getBytes(StandardCharsets.UTF_8),
          new org.apache.hadoop.conf.Configuration());
      System.out.printf("summary written to %s%n", summaryFile);
    }
    return 0;
  }

  /** Why the benchmarks on a pipeline's outputs cannot run (null: they can). */
  private static String missingPipeline(StageContext ctx, boolean scone) {
    if (!dept.prep.io.AtomicOutput.isComplete(ctx.layout().blocks(), ctx.hadoop())) {
      return "needs `dept pipeline` outputs under " + ctx.layout().root() + " (no blocks)";
    }
    if (scone) {
      boolean trained = ctx.config().train().variants().stream()
          .filter(dept.train.rounds.Variant::scone)
          .anyMatch(v -> dept.prep.io.AtomicOutput.isComplete(ctx.layout().trainModel(v.name()), ctx.hadoop()));
      if (!trained) {
        return "needs a trained +SCONE variant under " + ctx.layout().root() + " (run `dept pipeline` first)";
      }
    }
    return null;
  }

  private String roundBenchmark(StageContext ctx, Path work, BenchSummary summary) {
    ctx.requireComplete(ctx.layout().blocks(), "tokenize");
    List<String> names = new ArrayList<>(sources);
    names.add(dept.prep.tokenizer.VocabConfig.GLOBAL);
    var tables = dept.jobs.stages.TokenizerTables.load(ctx, names);
    var bench = new dept.jobs.bench.RoundBenchmark(ctx.spark(), dept.train.rounds.BlockFiles.at(ctx.layout().blocks(), ctx.hadoop()),
        tables.vocabSizes(), tables.tokenBytes(), ctx.config().model(), ctx.config().tokenize().seqLen(), work.resolve("rounds").toString());
    return bench.run(variants, sources, ctx.config().train(), rounds, localSteps, summary);
  }

  /**
   * The ELECTRA benchmark on the pipeline's global-tokenizer blocks of every source (a bounded
   * sample: --rtd-steps x batch training blocks at most, 64 validation blocks per source at most).
   */
  private String rtdBenchmark(StageContext ctx, BenchSummary summary) {
    ctx.requireComplete(ctx.layout().blocks(), "tokenize");
    var blocks = ctx.spark().read().parquet(ctx.layout().blocks()).where("tokenizer = 'global'");
    List<String> sources = blocks.select("source").distinct().orderBy("source").collectAsList().stream().map(r -> r.getString(0)).toList();
    int seqLen = ctx.config().tokenize().seqLen();
    List<int[]> train = new ArrayList<>();
    blocks.where("split = 'train'").orderBy(org.apache.spark.sql.functions.rand(ctx.config().run().seed())).limit(rtdSteps * rtdBatch)
        .select("tokens").collectAsList().forEach(r -> train.add(dept.prep.pack.TokenArrays.ints(r.getList(0))));
    List<dept.jobs.bench.RtdBenchmark.Labelled> val = new ArrayList<>();
    for (int s = 0; s < sources.size(); s++) {
      int label = s;
      blocks.where("split = 'val' and source = '" + sources.get(s) + "'").orderBy("block_id").limit(64).select("tokens").collectAsList()
          .forEach(r -> val.add(new dept.jobs.bench.RtdBenchmark.Labelled(dept.prep.pack.TokenArrays.ints(r.getList(0)), label)));
    }
    int vocab = dept.jobs.stages.TokenizerTables.load(ctx, List.of(dept.prep.tokenizer.VocabConfig.GLOBAL)).vocabSizes()
        .get(dept.prep.tokenizer.VocabConfig.GLOBAL);
    var model = ctx.config().model();
    var setup = new dept.jobs.bench.RtdBenchmark.Setup(new dept.train.model.ModelConfig(model.dModel(), rtdLayers, model.heads(), model.mlpRatio()),
        seqLen, rtdBatch, rtdSteps, List.of(1L, 2L, 3L), ctx.config().train().rtd().withGenerator(rtdGenerator), rtdTrainThreshold, List.of(1.0, 0.99, 0.95, 0.9, 0.8, 0.7),
        8);
    return new dept.jobs.bench.RtdBenchmark(ctx.spark(), setup).run(train, val, sources, vocab, summary);
  }

  /** The SCONE benchmark on the first trained +SCONE variant and its largest table. */
  private String sconeBenchmark(StageContext ctx, Path work, BenchSummary summary) {
    String variant = ctx.config().train().variants().stream().filter(dept.train.rounds.Variant::scone).map(dept.train.rounds.Variant::name).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("bench scone needs a +SCONE variant in train.variants (e.g. SPEC+SCONE)"));
    ctx.requireComplete(ctx.layout().trainModel(variant), "train");
    var model = dept.train.rounds.TrainedModel.load(ctx.layout().trainModel(variant), ctx.hadoop());
    var sets = dept.jobs.stages.TrainStage.fgramSets(ctx);
    String tokenizer = model.embeddings().keySet().stream()
        .max(java.util.Comparator.comparingInt(t -> model.scone().usable(sets.getOrDefault(t, List.of())).size())).orElseThrow();
    List<int[]> blocks = new ArrayList<>();
    ctx.spark().read().parquet(ctx.layout().blocks())
        .where("split = 'val' and tokenizer = '" + tokenizer + "'" + (tokenizer.equals("global") ? "" : " and source = '" + tokenizer + "'"))
        .orderBy("source", "block_id").limit(Math.max(sconeBatch, 16)).select("tokens").collectAsList()
        .forEach(r -> blocks.add(dept.prep.pack.TokenArrays.ints(r.getList(0))));
    var fgrams = ctx.spark().read().parquet(ctx.layout().fgrams());
    var job = new dept.train.scone.table.SconeTableJob(ctx.spark(), ctx.hadoop());
    int partitions = Math.max(2, ctx.spark().sparkContext().defaultParallelism() * 2);
    job.run(model, fgrams, work.resolve("scone-warmup").toUri().toString(), partitions); // JIT and DJL warm-up, not timed
    // The job's phases, each timed as a prefix of the whole job ended by Spark's no-op sink.
    double keysS = seconds(() -> job.keys(model, fgrams, partitions).write().format("noop").mode("overwrite").save());
    double embedS = seconds(() -> job.withEmbeddings(model, job.keys(model, fgrams, partitions),
        rows -> rows.write().format("noop").mode("overwrite").save()));
    long[] written = new long[1];
    double wholeS = seconds(() -> written[0] = job.run(model, fgrams, work.resolve("scone").toUri().toString(), partitions).stream()
        .mapToLong(dept.train.scone.table.SconeTableJob.TableStats::fgrams).sum());
    var usable = new java.util.TreeMap<String, List<int[]>>();
    model.embeddings().keySet().forEach(t -> usable.put(t, model.scone().usable(sets.getOrDefault(t, List.of()))));
    return new dept.jobs.bench.SconeBenchmark(model, tokenizer, usable, blocks)
        .run(sconeBatch, sconeFgrams, new dept.jobs.bench.SconeBenchmark.SparkRun(written[0], keysS, embedS, wholeS), summary);
  }

  private static double seconds(Runnable work) {
    long start = System.nanoTime();
    work.run();
    return (System.nanoTime() - start) / 1e9;
  }

  private static Path defaultCorpus() {
    Path shared = Path.of("../shared/corpora/bench.jsonl.gz");
    return Files.isRegularFile(shared) ? shared : Path.of("data-prep/sample/sample.jsonl");
  }

  private static long uncompressedBytes(Path corpus) throws IOException {
    try (InputStream in = dept.jobs.bench.BenchCorpus.open(corpus)) {
      return in.transferTo(java.io.OutputStream.nullOutputStream());
    }
  }

  /** A seeded random sample of the corpus's documents, about {@code bytes} of text, every domain mixed. */
  private static List<String> sampleDocuments(Path corpus, long bytes, long seed) throws IOException {
    List<String> all = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(dept.jobs.bench.BenchCorpus.open(corpus), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        var text = json.readTree(line).get("text");
        if (text != null && text.isTextual() && !text.asText().isBlank()) {
          all.add(text.asText());
        }
      }
    }
    Collections.shuffle(all, new Random(seed));
    List<String> out = new ArrayList<>();
    long n = 0;
    for (String d : all) {
      if (n >= bytes) {
        break;
      }
      out.add(d);
      n += d.getBytes(StandardCharsets.UTF_8).length;
    }
    return out;
  }
}
