package dept.jobs.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dept.prep.ngram.FgramMatcher;
import dept.train.rounds.TrainedModel;
import dept.train.local.Batches;
import dept.train.local.LocalTrainer;
import dept.train.model.DecoderLm;
import dept.train.model.ModelParams;
import dept.train.params.NamedTensors;
import dept.train.scone.FgramEmbeddingStore;
import dept.train.scone.FgramInput;
import dept.train.scone.FgramModel;
import dept.train.scone.FgramPrecompute;
import dept.train.scone.SconeConfig;
import dept.train.scone.TableInput;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * SCONE at inference, measured: the input embeddings of a batch from the precomputed table (host
 * lookup + one copy to the device) against running the f-gram model for the batch's distinct
 * f-grams, per batch and per token; precompute throughput of the trained f-gram model in one
 * process against the Spark job's; and the table's host memory per million f-grams, from a
 * synthetic table of that size at the model's width.
 */
public final class SconeBenchmark {

  /**
   * The Spark precompute job measured by the caller in the same run: f-grams written, and the wall
   * time of its keys alone (selected, shuffled, sorted), of keys + f-gram model, and of the whole
   * job (Parquet written, counts read back).
   */
  public record SparkRun(long fgrams, double keysSeconds, double embedSeconds, double seconds) {}

  private final TrainedModel model;
  private final String tokenizer;
  private final List<int[]> fgrams;
  private final Map<String, List<int[]>> usableByTable;
  private final List<int[]> blocks;

  /**
   * @param usableByTable the usable f-grams of every table of the model (the Spark job's keys)
   * @param blocks validation blocks of {@code tokenizer} (each seq_len + 1 tokens)
   */
  public SconeBenchmark(TrainedModel model, String tokenizer, Map<String, List<int[]>> usableByTable, List<int[]> blocks) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.fgrams = usableByTable.get(tokenizer);
    this.usableByTable = usableByTable;
    this.blocks = blocks;
  }

  public String run(int batchSize, int syntheticFgrams, SparkRun spark, BenchSummary summary) {
    SconeConfig scone = model.scone();
    NamedTensors inputs = model.embeddings().get(tokenizer);
    int d = model.model().dModel();
    int vocab = DecoderLm.vocabSizeOf(inputs);
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
        "SCONE benchmark: %s, table %s (%,d f-grams, vocab %,d, d = %d), f-gram model %s, batch %d x %d, %s, %d cores%n",
        model.variant(), tokenizer, fgrams.size(), vocab, d, scone.fgramModel(model.model()), batchSize, model.seqLen(),
        LocalTrainer.device(), Runtime.getRuntime().availableProcessors()));

    // The peer of the Spark job: one loop in this process over the same keys (every table's
    // usable f-grams and tokens), no write; the benchmark's table is built from its output.
    FgramEmbeddingStore.Builder builder = new FgramEmbeddingStore.Builder(d);
    FgramPrecompute loop = new FgramPrecompute(scone, model.model());
    long loopFgrams = 0;
    long t0 = System.nanoTime();
    for (Map.Entry<String, List<int[]>> table : usableByTable.entrySet()) {
      NamedTensors tableInputs = model.embeddings().get(table.getKey());
      List<int[]> keys = new ArrayList<>(table.getValue());
      for (int t = 0; t < DecoderLm.vocabSizeOf(tableInputs); t++) {
        keys.add(new int[] {t});
      }
      loopFgrams += table.getValue().size();
      boolean kept = table.getKey().equals(tokenizer);
      loop.run(tableInputs, keys.iterator(), (key, embedding) -> {
        if (kept) {
          builder.add(key, embedding);
        }
      });
    }
    double precomputeS = (System.nanoTime() - t0) / 1e9;
    try (FgramEmbeddingStore table = builder.build();
        NDManager root = NDManager.newBaseManager(LocalTrainer.device());
        ModelParams params = new ModelParams(model.body().with(inputs), root, LocalTrainer.device(), false)) {
      FgramInput viaModel = new FgramInput(new FgramModel(scone, model.model()), new FgramMatcher(fgrams));
      TableInput viaTable = new TableInput(table);
      int[][] batch = new int[batchSize][];
      for (int i = 0; i < batchSize; i++) {
        int[] b = blocks.get(i % blocks.size());
        batch[i] = java.util.Arrays.copyOf(b, model.seqLen());
      }
      double modelMs = timeMs(params, batch, (tokens, step) -> viaModel.embed(tokens, params, step));
      double tableMs = timeMs(params, batch, (tokens, step) -> viaTable.embed(tokens, params, step));
      double positions = (double) batchSize * model.seqLen();
      double singleUs = perTokenMicros(table, batch[0]);

      String fmt = "%-58s %12s %12s %9s%n";
      out.append(String.format(Locale.ROOT, fmt, "figure (ours vs peer)", "ours", "peer", "ratio"));
      out.append(String.format(Locale.ROOT, fmt, "one batch's input embeddings, table vs f-gram model (ms)", f(tableMs), f(modelMs),
          x(modelMs / tableMs)));
      out.append(String.format(Locale.ROOT, fmt, "per position, batched, table vs f-gram model (us)", f(tableMs * 1e3 / positions),
          f(modelMs * 1e3 / positions), x(modelMs / tableMs)));
      out.append(String.format(Locale.ROOT, fmt, "per position, unbatched table lookup (us)", f(singleUs), "", ""));
      summary.add("scone", String.format(Locale.ROOT, "a %d x %d batch's input embeddings, ms", batchSize, model.seqLen()), tableMs,
          "running the f-gram model", modelMs, false);
      long modelBytes = 4 * new FgramModel(scone, model.model()).parameterCount();
      out.append(String.format(Locale.ROOT, fmt, "inference memory, host table vs f-gram model (MB)", f(table.bytes() / 1e6),
          f(modelBytes / 1e6), ""));
      double loopRate = loopFgrams / precomputeS;
      out.append(String.format(Locale.ROOT, "precompute of %d tables (%,d f-grams and their tokens), wall s and f-grams/s:%n",
          usableByTable.size(), loopFgrams));
      if (spark != null) {
        out.append(String.format(Locale.ROOT, fmt, "  Spark: keys selected, shuffled, sorted (no-op sink)", f(spark.keysSeconds()), "", ""));
        out.append(String.format(Locale.ROOT, fmt, "  Spark: keys + f-gram model (no-op sink)", f(spark.embedSeconds()),
            "", f(spark.fgrams() / spark.embedSeconds())));
        out.append(String.format(Locale.ROOT, fmt, "  Spark: the whole job (Parquet written, counts read)", f(spark.seconds()),
            "", f(spark.fgrams() / spark.seconds())));
      }
      out.append(String.format(Locale.ROOT, fmt, "  one loop in this JVM, same keys, no write", f(precomputeS), "", f(loopRate)));
      if (spark != null) {
        double sparkRate = spark.fgrams() / spark.seconds();
        out.append(String.format(Locale.ROOT, fmt, "precompute, Spark job vs one loop in this JVM (f-grams/s)", f(sparkRate), f(loopRate),
            x(sparkRate / loopRate)));
        summary.add("scone", "precompute f-grams/s, Spark job (Parquet written)", sparkRate, "one loop in the same JVM, same keys",
            loopRate, true);
      }
    }
    out.append(synthetic(syntheticFgrams, d, vocab));
    return out.toString();
  }

  /** A table of {@code n} random f-grams (2-4 tokens) at width d: host bytes per million f-grams, build time and lookups/s. */
  private static String synthetic(int n, int d, int vocab) {
    Random rnd = new Random(7);
    FgramEmbeddingStore.Builder b = new FgramEmbeddingStore.Builder(d);
    float[] row = new float[d];
    for (int t = 0; t < vocab; t++) {
      b.add(new int[] {t}, row);
    }
    java.util.HashSet<List<Integer>> seen = new java.util.HashSet<>();
    long start = System.nanoTime();
    List<int[]> keys = new ArrayList<>();
    while (keys.size() < n) {
      int[] k = rnd.ints(2 + rnd.nextInt(3), 3, vocab).toArray();
      if (seen.add(java.util.Arrays.stream(k).boxed().toList())) {
        keys.add(k);
        row[0] = keys.size();
        b.add(k, row);
      }
    }
    seen.clear();
    try (FgramEmbeddingStore table = b.build()) {
      double buildS = (System.nanoTime() - start) / 1e9;
      // Sequences built from table keys, so most positions hit an f-gram.
      int[] seq = new int[1 << 16];
      for (int i = 0; i < seq.length; ) {
        int[] k = keys.get(rnd.nextInt(keys.size()));
        for (int j = 0; j < k.length && i < seq.length; j++) {
          seq[i++] = k[j];
        }
      }
      float[] out = new float[d];
      long hits = 0;
      long t0 = System.nanoTime();
      for (int rep = 0; rep < 4; rep++) {
        for (int i = 0; i < seq.length; i++) {
          table.copyRow(table.rowAt(seq, i), out, 0);
          hits += out[0] > 0 ? 1 : 0;
        }
      }
      double us = (System.nanoTime() - t0) / 1e3 / (4.0 * seq.length);
      return String.format(Locale.ROOT,
          "synthetic table: %,d f-grams + %,d tokens at d = %d: %.1f MB host memory = %.1f MB per million f-grams "
              + "(%.1f MB of it the float32 rows); built in %.1f s; lookup %.3f us/position (%.0f%% f-gram hits)%n",
          n, vocab, d, table.bytes() / 1e6, table.bytes() / 1e6 / (n / 1e6), (double) n * d * 4 / 1e6 / (n / 1e6), buildS, us,
          100.0 * hits / (4.0 * seq.length));
    }
  }

  @FunctionalInterface
  private interface Embed {
    NDArray apply(NDArray tokens, NDManager step);
  }

  /** Median of 7 timed runs after 2 warm-ups; each includes the result's copy back to the host (the device sync). */
  private static double timeMs(ModelParams params, int[][] batch, Embed embed) {
    List<Double> times = new ArrayList<>();
    for (int r = 0; r < 9; r++) {
      try (NDManager step = params.manager().newSubManager()) {
        NDArray tokens = Batches.toArray(batch, step);
        long t0 = System.nanoTime();
        embed.apply(tokens, step).toFloatArray();
        if (r >= 2) {
          times.add((System.nanoTime() - t0) / 1e6);
        }
      }
    }
    times.sort(null);
    return times.get(times.size() / 2);
  }

  private static double perTokenMicros(FgramEmbeddingStore table, int[] tokens) {
    float[] out = new float[table.dim()];
    for (int i = 0; i < tokens.length; i++) {
      table.copyRow(table.rowAt(tokens, i), out, 0);
    }
    long t0 = System.nanoTime();
    int reps = 200;
    for (int r = 0; r < reps; r++) {
      for (int i = 0; i < tokens.length; i++) {
        table.copyRow(table.rowAt(tokens, i), out, 0);
      }
    }
    return (System.nanoTime() - t0) / 1e3 / ((double) reps * tokens.length);
  }

  private static String f(double v) {
    return String.format(Locale.ROOT, v >= 100 ? "%,.0f" : "%.3f", v);
  }

  private static String x(double v) {
    return String.format(Locale.ROOT, "%.1fx", v);
  }
}
