package dept.jobs.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sha2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dept.prep.ingest.ContentHash;
import dept.prep.ingest.IngestConfig;
import dept.prep.ingest.IngestResult;
import dept.prep.ingest.IngestJob;
import dept.prep.ingest.IngestSummary;
import dept.prep.ingest.InputPlanner;
import dept.prep.ingest.SourceSpec;
import dept.prep.ingest.TextNormalizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Ingest throughput on one jsonl(.gz) corpus, against two peers measured in the same process:
 * Spark's own JSON reader doing the same routing, hashing and Parquet write, and a plain
 * single-threaded Java loop (no Spark) doing read, parse, route, normalise and hash.
 */
public final class IngestBenchmark {

  /**
   * One contender's best run; {@code medianSeconds} is the median over its repeats (this machine's
   * run-to-run spread is as large as the differences between contenders).
   */
  public record Measurement(String name, long records, long documents, double seconds, long inputBytes, long peakHeap, double medianSeconds) {

    Measurement(String name, long records, long documents, double seconds, long inputBytes, long peakHeap) {
      this(name, records, documents, seconds, inputBytes, peakHeap, seconds);
    }

    Measurement withMedian(double median) {
      return new Measurement(name, records, documents, seconds, inputBytes, peakHeap, median);
    }

    public double mbPerSecond() {
      return inputBytes / 1e6 / seconds;
    }

    double recordsPerSecond() {
      return records / seconds;
    }
  }

  private final SparkSession spark;
  private final IngestConfig config;
  private final Path work;

  public IngestBenchmark(SparkSession spark, IngestConfig config, Path work) {
    this.spark = spark;
    this.config = config;
    this.work = work;
  }

  /** The sources of {@code template} re-pointed at {@code input}. */
  public static IngestConfig onInput(IngestConfig template, String input) {
    List<SourceSpec> sources = new ArrayList<>();
    for (SourceSpec s : template.sources()) {
      sources.add(new SourceSpec(s.name(), List.of(input), s.format(), s.textField(), s.filter(), s.tags(), s.whitespace()));
    }
    return new IngestConfig(sources, template.minChars(), template.maxChars(), template.maxRecordBytes(), template.valFraction(), template.spreadLines());
  }

  /**
   * Runs the three contenders {@code repeats} times in rotation (so JIT warm-up and Spark's first
   * jobs do not count against whichever runs first) and keeps each one's fastest run.
   */
  public List<Measurement> run(String input, long inputBytes, int repeats) throws IOException {
    Measurement[] best = new Measurement[3];
    List<List<Double>> seconds = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (int i = 0; i < repeats; i++) {
      Measurement[] now = {dept(input, inputBytes), sparkJson(input, inputBytes), plainLoop(input, inputBytes)};
      for (int j = 0; j < 3; j++) {
        seconds.get(j).add(now[j].seconds());
        if (best[j] == null || now[j].seconds() < best[j].seconds()) {
          best[j] = now[j];
        }
      }
    }
    List<Measurement> out = new ArrayList<>();
    for (int j = 0; j < 3; j++) {
      List<Double> sorted = seconds.get(j).stream().sorted().toList();
      int n = sorted.size();
      out.add(best[j].withMedian(n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2));
    }
    return out;
  }

  private Measurement dept(String input, long inputBytes) {
    PeakMemory mem = new PeakMemory();
    long t0 = System.nanoTime();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    IngestJob stage = new IngestJob(spark, config, hadoop);
    IngestResult result = stage.run(new InputPlanner(hadoop).plan(config));
    // The accounting (rows in / out / rejected per source and reason, script mix) is part of the stage's work.
    IngestSummary summary = stage.write(result, work.resolve("dept-documents").toString(), work.resolve("dept-rejects").toString(),
        work.resolve("dept-stats").toString());
    double seconds = (System.nanoTime() - t0) / 1e9;
    result.release();
    long docs = summary.sources().stream().mapToLong(s -> s.documents()).sum();
    return new Measurement("dept ingest (route, clean, dedup, split, write, stats)", summary.totalRead() + summary.unrouted(), docs, seconds, inputBytes, mem.stop());
  }

  /** Spark's JSON source with the same routing, a content hash and a Parquet write. */
  private Measurement sparkJson(String input, long inputBytes) {
    PeakMemory mem = new PeakMemory();
    long t0 = System.nanoTime();
    List<String> fields = new ArrayList<>(List.of("text"));
    config.sources().forEach(s -> s.filter().keySet().forEach(f -> { if (!fields.contains(f)) fields.add(f); }));
    StructType full = new StructType(fields.stream().map(f -> DataTypes.createStructField(f, DataTypes.StringType, true)).toArray(org.apache.spark.sql.types.StructField[]::new));
    Dataset<Row> json = spark.read().schema(full).json(input);
    Dataset<Row> routed = null;
    for (SourceSpec s : config.sources()) {
      Column accepted = org.apache.spark.sql.functions.lit(true);
      for (Map.Entry<String, List<String>> f : s.filter().entrySet()) {
        accepted = accepted.and(col(f.getKey()).isin(f.getValue().toArray()));
      }
      Dataset<Row> part = json.where(accepted).select(org.apache.spark.sql.functions.lit(s.name()).as("source"), col("text"), sha2(col("text"), 256).as("hash"));
      routed = routed == null ? part : routed.union(part);
    }
    Path out = work.resolve("spark-json");
    routed.write().mode("overwrite").partitionBy("source").parquet(out.toString());
    double seconds = (System.nanoTime() - t0) / 1e9;
    long n = spark.read().parquet(out.toString()).count();
    return new Measurement("peer: Spark JSON reader + route + sha2 + write", n, n, seconds, inputBytes, mem.stop());
  }

  /** One thread, no Spark: gunzip, parse, route, normalise, hash. */
  private Measurement plainLoop(String input, long inputBytes) throws IOException {
    PeakMemory mem = new PeakMemory();
    long t0 = System.nanoTime();
    ObjectMapper json = new ObjectMapper();
    Map<String, TextNormalizer> normalizers = new HashMap<>();
    config.sources().forEach(s -> normalizers.put(s.name(), new TextNormalizer(s.whitespace())));
    long records = 0;
    long docs = 0;
    try (InputStream in = BenchCorpus.open(Path.of(input.replaceFirst("^file:", "")));
        BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
      String line;
      while ((line = lines.readLine()) != null) {
        records++;
        JsonNode node = json.readTree(line);
        Map<String, String> fields = new HashMap<>();
        node.fields().forEachRemaining(e -> fields.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : null));
        for (SourceSpec s : config.sources()) {
          if (s.accepts(fields)) {
            String text = normalizers.get(s.name()).normalize(node.get(s.textField()).asText());
            ContentHash.of(text);
            docs++;
          }
        }
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new Measurement("peer: plain Java loop, 1 thread, no write", records, docs, seconds, inputBytes, mem.stop());
  }

  /** The result table, with each row's throughput relative to dept ingest. */
  public static String table(List<Measurement> rows, String input, String master, int repeats) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "ingest benchmark: %s, master %s, %d cores, best of %d runs each%n",
        input, master, Runtime.getRuntime().availableProcessors(), repeats));
    String fmt = "%-50s %9s %9s %8s %9s %10s %9s %12s %8s %15s%n";
    sb.append(String.format(Locale.ROOT, fmt, "run", "records", "docs", "seconds", "MB/s", "records/s", "peak heap", "vs dept", "median s", "vs dept, median"));
    double base = rows.get(0).mbPerSecond();
    double baseMedian = rows.get(0).medianSeconds();
    for (Measurement r : rows) {
      sb.append(String.format(Locale.ROOT, "%-50s %9d %9d %8.1f %9.1f %10.0f %7d MB %11.2fx %8.1f %14.2fx%n",
          r.name(), r.records(), r.documents(), r.seconds(), r.mbPerSecond(), r.recordsPerSecond(), r.peakHeap() >> 20, r.mbPerSecond() / base,
          r.medianSeconds(), baseMedian / r.medianSeconds()));
    }
    sb.append("MB = uncompressed input bytes / 1e6; 'vs dept' = throughput relative to the first row (best runs; then medians).\n");
    return sb.toString();
  }
}
