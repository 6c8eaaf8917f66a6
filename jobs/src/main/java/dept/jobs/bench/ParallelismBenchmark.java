package dept.jobs.bench;

import static org.apache.spark.sql.functions.sum;

import com.fasterxml.jackson.databind.ObjectMapper;
import dept.jobs.config.PipelineConfig;
import dept.jobs.config.SparkSettings;
import dept.jobs.run.SparkSessions;
import dept.prep.ingest.IngestConfig;
import dept.prep.ingest.IngestJob;
import dept.prep.ingest.IngestResult;
import dept.prep.ingest.InputPlanner;
import dept.prep.io.AtomicOutput;
import dept.prep.ngram.NgramJob;
import dept.prep.pack.TokenizeJob;
import dept.prep.tokenizer.TokenizerJson;
import dept.prep.tokenizer.VocabConfig;
import dept.prep.tokenizer.VocabJob;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Scaling with cores: each data stage's Spark job (ingest, vocab's word counting, tokenize, ngrams)
 * under {@code local[1]} and {@code local[2]} (and {@code local[cores]}), each master in a session
 * of its own (Spark fixes the master for a session's life), on the same input files: ingest reads
 * a seeded sample of the corpus split into several jsonl files, and every later stage reads the
 * Parquet the previous stage wrote in the {@code local[1]} session. Each job runs {@code repeats}
 * times per session and keeps its fastest run, so the JIT's warm-up does not count against the
 * first master.
 * Runs before any other session of the process is started.
 */
public final class ParallelismBenchmark {

  /** Input files the raw sample is split into: enough for every core to read one. */
  static final int INPUT_FILES = 8;

  private final PipelineConfig config;
  private final Path work;
  private final int repeats;

  public ParallelismBenchmark(PipelineConfig config, Path work, int repeats) {
    this.config = config;
    this.work = work;
    this.repeats = repeats;
  }

  /** One stage's seconds per master, the bytes it processed, and its tasks' skew per master (fastest run). */
  private record StageTimes(String stage, long bytes, Map<Integer, Double> seconds, Map<Integer, TaskTimes.Skew> skew) {}

  public String run(Path corpus, long sampleBytes, int vocabSize, BenchSummary summary) throws IOException {
    Path input = writeSample(corpus, sampleBytes);
    long rawBytes = 0;
    try (var files = Files.list(input)) {
      for (Path f : files.toList()) {
        rawBytes += Files.size(f);
      }
    }
    // One tokenizer for every source and the global one, trained on the first file's texts.
    List<String> texts = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(input.resolve("part-00000.jsonl"))) {
      var text = json.readTree(line).get("text");
      if (text != null && text.isTextual()) {
        texts.add(text.asText());
      }
    }
    String tokenizer = TokenizerJson.write(HeadTokenizer.train(texts, vocabSize));
    int cores = Runtime.getRuntime().availableProcessors();
    List<Integer> masters = new ArrayList<>(new TreeSet<>(List.of(1, Math.min(2, cores), cores)));
    Map<String, StageTimes> stages = new LinkedHashMap<>();
    IngestConfig ingest = IngestBenchmark.onInput(config.ingest(), input.toUri().toString());
    Path first = work.resolve("local-1");
    long documentBytes = 0;
    for (int n : masters) {
      Path out = work.resolve("local-" + n);
      SparkSession spark = SparkSessions.start(new SparkSettings("local[" + n + "]", config.spark().shufflePartitions(), samePartitions()),
          "dept bench local[" + n + "]");
      try {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        TaskTimes tasks = TaskTimes.listenTo(spark.sparkContext());
        Timer time = (stage, bytes, job) -> time(stages, stage, bytes, n, spark, tasks, job);
        time.run("ingest", rawBytes, () -> ingest(spark, ingest, hadoop, out));
        Dataset<Row> documents = spark.read().parquet(first.resolve("documents").toString());
        if (n == 1) {
          documentBytes = documents.agg(sum("bytes")).first().getLong(0);
        }
        time.run("vocab word counts", documentBytes, () -> AtomicOutput.writeParquet(
            new VocabJob(spark, config.vocab()).wordCounts(documents), out.resolve("word_counts").toString(), hadoop));
        Map<String, String> tokenizers = new TreeMap<>();
        documents.select("source").distinct().collectAsList().forEach(r -> tokenizers.put(r.getString(0), tokenizer));
        tokenizers.put(VocabConfig.GLOBAL, tokenizer);
        time.run("tokenize", documentBytes, () -> {
          TokenizeJob.Result r = new TokenizeJob(spark, config.tokenize()).run(documents, tokenizers);
          AtomicOutput.writeParquet(r.blocks(), out.resolve("blocks").toString(), hadoop, TokenizeJob.BLOCK_WRITE_OPTIONS, "tokenizer", "source");
          r.release();
        });
        Dataset<Row> blocks = spark.read().parquet(first.resolve("blocks").toString());
        time.run("ngrams", documentBytes, () -> AtomicOutput.writeParquet(
            new NgramJob(spark, config.ngrams()).count(blocks, vocabSize), out.resolve("ngrams").toString(), hadoop, "source"));
      } finally {
        spark.stop();
      }
    }
    return table(stages.values(), masters, rawBytes, cores, repeats, summary);
  }

  /**
   * The config's Spark settings with the same tasks under every master: by default Spark sizes
   * file splits and coalesces shuffle partitions by the number of cores, so local[1] would run
   * each stage as one large task and local[2] as two (a different job, not the same job on more
   * cores). Here files split into at least {@link #INPUT_FILES} partitions and every shuffle keeps
   * its {@code spark.shuffle_partitions}.
   */
  private Map<String, String> samePartitions() {
    Map<String, String> conf = new TreeMap<>(config.spark().conf());
    conf.put("spark.sql.files.minPartitionNum", String.valueOf(INPUT_FILES));
    conf.put("spark.sql.adaptive.coalescePartitions.enabled", "false");
    return conf;
  }

  private static void ingest(SparkSession spark, IngestConfig ingest, Configuration hadoop, Path out) {
    IngestJob job = new IngestJob(spark, ingest, hadoop);
    IngestResult result = job.run(new InputPlanner(hadoop).plan(ingest));
    try {
      job.write(result, out.resolve("documents").toString(), out.resolve("rejects").toString(), out.resolve("source_stats").toString());
    } finally {
      result.release();
    }
  }

  @FunctionalInterface
  private interface Timer {
    void run(String stage, long bytes, Runnable job);
  }

  /** Runs {@code job} {@link #repeats} times and records the fastest run for {@code master}, with its tasks' skew. */
  private void time(Map<String, StageTimes> stages, String stage, long bytes, int master, SparkSession spark, TaskTimes tasks, Runnable job) {
    double best = Double.MAX_VALUE;
    TaskTimes.Skew bestSkew = null;
    for (int i = 0; i < repeats; i++) {
      tasks.reset(spark.sparkContext());
      long t0 = System.nanoTime();
      job.run();
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (seconds < best) {
        best = seconds;
        bestSkew = tasks.skew(spark.sparkContext(), master);
      }
    }
    StageTimes times = stages.computeIfAbsent(stage, s -> new StageTimes(s, bytes, new TreeMap<>(), new TreeMap<>()));
    times.seconds().put(master, best);
    times.skew().put(master, bestSkew);
  }

  /** A seeded sample of the corpus's lines (JSON kept as is), about {@code bytes}, dealt into {@link #INPUT_FILES} files. */
  private Path writeSample(Path corpus, long bytes) throws IOException {
    List<String> lines = new ArrayList<>();
    try (InputStream in = BenchCorpus.open(corpus);
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
      reader.lines().forEach(lines::add);
    }
    Collections.shuffle(lines, new Random(config.run().seed()));
    Path dir = Files.createDirectories(work.resolve("input"));
    List<BufferedWriter> out = new ArrayList<>();
    try {
      for (int i = 0; i < INPUT_FILES; i++) {
        out.add(Files.newBufferedWriter(dir.resolve(String.format(Locale.ROOT, "part-%05d.jsonl", i)), StandardCharsets.UTF_8));
      }
      long written = 0;
      for (int i = 0; i < lines.size() && written < bytes; i++) {
        out.get(i % INPUT_FILES).write(lines.get(i));
        out.get(i % INPUT_FILES).write('\n');
        written += lines.get(i).getBytes(StandardCharsets.UTF_8).length + 1;
      }
    } finally {
      for (BufferedWriter w : out) {
        w.close();
      }
    }
    return dir;
  }

  private static String table(Iterable<StageTimes> stages, List<Integer> masters, long rawBytes, int cores, int repeats, BenchSummary summary) {
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
        "parallelism benchmark: each data stage's job on the same files (%.1f MB of jsonl in %d files), %d cores on this machine,"
            + " best of %d runs per master%n", rawBytes / 1e6, INPUT_FILES, cores, repeats));
    out.append(String.format(Locale.ROOT, "%-18s %10s", "stage", "MB"));
    masters.forEach(n -> out.append(String.format(Locale.ROOT, " %12s", "local[" + n + "] s")));
    masters.stream().skip(1).forEach(n -> out.append(String.format(Locale.ROOT, " %14s", "local[" + n + "]/[1]")));
    int widest = masters.get(masters.size() - 1);
    out.append(String.format(Locale.ROOT, "   %-9s %-12s %s%n", "ceiling", "task time", "largest task on local[" + widest + "]: share of its stage's task time"));
    for (StageTimes s : stages) {
      double one = s.seconds().get(1);
      out.append(String.format(Locale.ROOT, "%-18s %10.1f", s.stage(), s.bytes() / 1e6));
      masters.forEach(n -> out.append(String.format(Locale.ROOT, " %12.2f", s.seconds().get(n))));
      for (int n : masters.subList(1, masters.size())) {
        double speedUp = one / s.seconds().get(n);
        out.append(String.format(Locale.ROOT, " %14s", String.format(Locale.ROOT, "%.2fx (%.0f%%)", speedUp, 100 * speedUp / n)));
        summary.add("parallelism", s.stage() + " MB/s on local[" + n + "]", s.bytes() / 1e6 / s.seconds().get(n),
            "the same job on local[1]", s.bytes() / 1e6 / one, true);
      }
      TaskTimes.Skew skew = s.skew().get(widest);
      double inflation = skew.taskSeconds() / s.skew().get(1).taskSeconds();
      out.append(String.format(Locale.ROOT, "   %-9s %-12s %.0f%% (%s)%n", String.format(Locale.ROOT, "%.2fx", skew.ceiling()),
          String.format(Locale.ROOT, "%.2fx", inflation), 100 * skew.largestShare(), skew.stage()));
    }
    out.append("MB: the stage's input (ingest: jsonl bytes; the rest: the documents' text bytes); (%): parallel efficiency.\n");
    out.append("ceiling: the speed-up over one core that the job's task sizes allow on local[" + widest + "] (each Spark stage lasts at\n"
        + "least its longest task and its task time / cores); a stage below ~1.8x with a low ceiling is held by one large task.\n"
        + "task time: all tasks' time on local[" + widest + "] over local[1]'s; above 1, the same tasks ran slower side by side\n"
        + "(memory bandwidth, caches, GC): speed-up ~ min(ceiling, cores) / task time.\n");
    return out.toString();
  }
}
