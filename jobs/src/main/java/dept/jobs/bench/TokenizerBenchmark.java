package dept.jobs.bench;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dept.prep.pack.TokenizeConfig;
import dept.prep.pack.TokenizeJob;
import dept.prep.tokenizer.BpeTokenizer;
import dept.prep.tokenizer.BpeTrainer;
import dept.prep.tokenizer.PreTokenizer;
import dept.prep.tokenizer.TokenizerJson;
import dept.prep.tokenizer.VocabConfig;
import dept.prep.tokenizer.WordCounter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Tokenizer benchmarks, each against a peer in the same run: encode throughput of our encoder vs
 * HF tokenizers on the same tokenizer.json (one thread, and the whole Spark job); BPE training
 * time and compression vs SentencePiece's BPE ({@code spm_train}, when installed) on the same
 * text and vocabulary size; and training time at 1x, 2x, 4x input.
 */
public final class TokenizerBenchmark {

  private final SparkSession spark;
  private final Path work;
  private final int vocabSize;

  public TokenizerBenchmark(SparkSession spark, Path work, int vocabSize) {
    this.spark = spark;
    this.work = work;
    this.vocabSize = vocabSize;
  }

  /** A table of figures: what, ours, the peer, and their ratio (higher = ours better). */
  public String run(List<String> documents, long trainBytes, BenchSummary summary) throws IOException, InterruptedException {
    List<String> train = prefix(documents, trainBytes);
    List<String> heldOut = documents.subList(train.size(), Math.min(documents.size(), train.size() + Math.max(50, train.size() / 10)));
    StringBuilder out = new StringBuilder();
    String fmt = "%-44s %14s %14s %9s%n";
    out.append(String.format(Locale.ROOT, "tokenizer benchmark: %d documents, %.1f MB train text, vocab %d, %d cores%n",
        documents.size(), mb(train), vocabSize, Runtime.getRuntime().availableProcessors()));
    out.append(String.format(Locale.ROOT, fmt, "figure", "dept", "peer", "dept/peer"));

    // Training: time and compression vs SentencePiece BPE (after a small warm-up run for the JIT).
    train(prefix(documents, 1_000_000));
    long t0 = System.nanoTime();
    BpeTokenizer ours = train(train);
    double trainSeconds = secs(t0);
    Path json = work.resolve("tokenizer.json");
    Files.writeString(json, TokenizerJson.write(ours));
    double ourBpt = bytesPerToken(SentencePiece.lines(heldOut), ours);
    SentencePiece.Result spm = SentencePiece.trainAndMeasure(train, heldOut, vocabSize, work);
    out.append(row(fmt, "BPE training, 1 thread (s, peer: spm_train)", trainSeconds, spm == null ? Double.NaN : spm.trainSeconds(), false));
    out.append(row(fmt, "held-out bytes/token (peer: SentencePiece)", ourBpt, spm == null ? Double.NaN : spm.bytesPerToken(), true));
    String spmName = spm == null ? "SentencePiece BPE (spm_train not installed)" : "SentencePiece BPE, 1 thread";
    summary.add("tokenizer", String.format(Locale.ROOT, "BPE training s, %.1f MB, vocab %d", mb(train), vocabSize), trainSeconds, spmName,
        spm == null ? Double.NaN : spm.trainSeconds(), false);
    summary.add("tokenizer", "held-out bytes per token", ourBpt, spmName, spm == null ? Double.NaN : spm.bytesPerToken(), true);

    // Encoding, one thread: ours vs HF tokenizers on the same tokenizer.json.
    try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.builder().optTokenizerPath(json)
        .optAddSpecialTokens(false).optTruncation(false).build()) {
      BpeTokenizer fresh = TokenizerJson.read(Files.readString(json));
      encodeMbPerSecond(documents, fresh::encode); // warm-up: JIT, cache
      encodeMbPerSecond(documents, t -> hf.encode(t, false, false).getIds());
      double oursMb = encodeMbPerSecond(documents, TokenizerJson.read(Files.readString(json))::encode);
      double hfMb = encodeMbPerSecond(documents, t -> hf.encode(t, false, false).getIds());
      out.append(row(fmt, "encode MB/s, 1 thread (peer: HF tokenizers)", oursMb, hfMb, true));
      summary.add("tokenizer", "encode MB/s, 1 thread", oursMb, "HF tokenizers (DJL), same tokenizer.json", hfMb, true);
    }

    // Encoding as a Spark job (local[*]): the tokenize stage with either encoder.
    double jobOurs = jobMbPerSecond(documents, TokenizeConfig.Encoder.DEPT, json);
    double jobHf = jobMbPerSecond(documents, TokenizeConfig.Encoder.HF, json);
    out.append(row(fmt, "encode MB/s, Spark job (peer: HF encoder)", jobOurs, jobHf, true));
    summary.add("tokenizer", "encode MB/s, tokenize Spark job on " + spark.sparkContext().master(), jobOurs, "the same job, encoder: hf", jobHf, true);

    // Scaling of training time with input size.
    for (int factor : new int[] {1, 2, 4}) {
      List<String> part = prefix(documents, trainBytes * factor / 4);
      long s0 = System.nanoTime();
      train(part);
      double seconds = secs(s0);
      out.append(String.format(Locale.ROOT, "%-44s %14.2f %14s %9s%n",
          String.format(Locale.ROOT, "BPE training s at %dx (%.1f MB)", factor, mb(part)), seconds, "", ""));
      summary.add("tokenizer", String.format(Locale.ROOT, "scaling: BPE training s at %dx data (%.1f MB)", factor, mb(part)), seconds, "");
    }
    out.append("dept/peer: ratio oriented so that > 1 means dept is better (faster, or more bytes per token).\n");
    return out.toString();
  }

  private BpeTokenizer train(List<String> docs) {
    WordCounter counter = new WordCounter(PreTokenizer.standard());
    docs.forEach(counter::add);
    BpeTrainer.Result r = new BpeTrainer(vocabSize, 2).fit(counter.counts());
    return new BpeTokenizer(PreTokenizer.standard(), r.model());
  }

  private static double bytesPerToken(List<String> docs, BpeTokenizer t) {
    long bytes = 0;
    long tokens = 0;
    for (String d : docs) {
      bytes += d.getBytes(StandardCharsets.UTF_8).length;
      tokens += t.encode(d).length;
    }
    return bytes / (double) tokens;
  }

  private static double encodeMbPerSecond(List<String> docs, java.util.function.Function<String, Object> encode) {
    long bytes = 0;
    long t0 = System.nanoTime();
    for (String d : docs) {
      encode.apply(d);
      bytes += d.getBytes(StandardCharsets.UTF_8).length;
    }
    return bytes / 1e6 / secs(t0);
  }

  /** The tokenize stage's Spark job (encode, pack, statistics) over {@code docs} with {@code encoder}: MB/s after a warm-up run. */
  private double jobMbPerSecond(List<String> docs, TokenizeConfig.Encoder encoder, Path json) throws IOException {
    String tokenizer = Files.readString(json);
    StructType schema = new StructType().add("source", "string").add("split", "string").add("doc_id", "string")
        .add("text", "string").add("bytes", DataTypes.LongType);
    List<Row> rows = new ArrayList<>();
    long bytes = 0;
    for (int i = 0; i < docs.size(); i++) {
      long b = docs.get(i).getBytes(StandardCharsets.UTF_8).length;
      rows.add(RowFactory.create("bench", "train", String.format("%08d", i), docs.get(i), b));
      bytes += b;
    }
    int cores = spark.sparkContext().defaultParallelism();
    var documents = spark.createDataFrame(rows, schema).repartition(cores * 2).cache();
    documents.count();
    TokenizeJob stage = new TokenizeJob(spark, new TokenizeConfig(128, encoder, false));
    stage.run(documents, Map.of("bench", tokenizer)).release(); // warm-up
    long t0 = System.nanoTime();
    TokenizeJob.Result r = stage.run(documents, Map.of("bench", tokenizer, VocabConfig.GLOBAL, tokenizer));
    r.encoded().count();
    double seconds = secs(t0);
    r.release();
    documents.unpersist();
    return bytes / 1e6 / seconds;
  }

  private static List<String> prefix(List<String> docs, long bytes) {
    List<String> out = new ArrayList<>();
    long n = 0;
    for (String d : docs) {
      if (n >= bytes) {
        break;
      }
      out.add(d);
      n += d.getBytes(StandardCharsets.UTF_8).length;
    }
    return out;
  }

  private static double mb(List<String> docs) {
    return docs.stream().mapToLong(d -> d.getBytes(StandardCharsets.UTF_8).length).sum() / 1e6;
  }

  private static double secs(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static String row(String fmt, String what, double ours, double peer, boolean higherIsBetter) {
    String ratio = Double.isNaN(peer) ? "n/a" : String.format(Locale.ROOT, "%.2fx", higherIsBetter ? ours / peer : peer / ours);
    return String.format(Locale.ROOT, fmt, what, String.format(Locale.ROOT, "%.2f", ours),
        Double.isNaN(peer) ? "not installed" : String.format(Locale.ROOT, "%.2f", peer), ratio);
  }
}
