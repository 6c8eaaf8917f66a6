package dept.jobs.bench;

import dept.jobs.run.SparkSessions;
import dept.jobs.config.SparkSettings;
import dept.prep.tokenizer.TokenizerJson;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;

/**
 * Scaling with cores: the tokenize stage's Spark job on the same documents under {@code local[1]}
 * and {@code local[N]}, each in a session of its own (Spark fixes the master for a session's life).
 * Runs before any other session of the process is started.
 */
public final class ParallelismBenchmark {

  private final SparkSettings settings;

  public ParallelismBenchmark(SparkSettings settings) {
    this.settings = settings;
  }

  public String run(List<String> documents, int vocabSize, BenchSummary summary) {
    String tokenizer = TokenizerJson.write(HeadTokenizer.train(documents, vocabSize));
    int cores = Runtime.getRuntime().availableProcessors();
    double total = documents.stream().mapToLong(d -> d.getBytes(StandardCharsets.UTF_8).length).sum() / 1e6;
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
        "parallelism benchmark: the tokenize Spark job on %.1f MB (%d documents), vocab %d, %d cores on this machine%n", total,
        documents.size(), vocabSize, cores));
    double one = Double.NaN;
    for (int n : new java.util.TreeSet<>(List.of(1, Math.min(2, cores), cores))) {
      String master = "local[" + n + "]";
      SparkSession spark = SparkSessions.start(new SparkSettings(master, settings.shufflePartitions(), settings.conf()), "dept bench " + master);
      double rate;
      try {
        rate = TokenizerBenchmark.jobMbPerSecond(spark, documents, dept.prep.pack.TokenizeConfig.Encoder.DEPT, tokenizer);
      } finally {
        spark.stop();
      }
      out.append(String.format(Locale.ROOT, "%s: %.2f MB/s%s%n", master, rate,
          n == 1 ? "" : String.format(Locale.ROOT, " (%.2fx local[1], %.0f%% parallel efficiency)", rate / one, 100 * rate / one / n)));
      if (n == 1) {
        one = rate;
      } else {
        summary.add("parallelism", "tokenize job MB/s on " + master, rate, "the same job on local[1]", one, true);
      }
    }
    return out.toString();
  }
}
