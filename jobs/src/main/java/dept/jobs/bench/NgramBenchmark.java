package dept.jobs.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import dept.prep.ngram.FgramMatcher;
import dept.prep.ngram.NgramConfig;
import dept.prep.ngram.NgramJob;
import dept.prep.pack.BlockPacker;
import dept.prep.tokenizer.BpeTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.ml.feature.CountVectorizer;
import org.apache.spark.ml.feature.NGram;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * N-gram counting (n = 2..4) on real blocks at 1x, 2x, 4x, against Spark MLlib's NGram +
 * CountVectorizer over the same tokens in the same run, and FgramMatcher lookups per second.
 */
public final class NgramBenchmark {

  private static final StructType BLOCKS = new StructType().add("tokenizer", "string").add("source", "string")
      .add("split", "string").add("block_id", DataTypes.LongType).add("tokens", DataTypes.createArrayType(DataTypes.IntegerType));

  private final SparkSession spark;

  public NgramBenchmark(SparkSession spark) {
    this.spark = spark;
  }

  public String run(List<String> documents, int vocabSize, BenchSummary summary) {
    // Real blocks: a tokenizer trained on the first 2 MB, then every document encoded and packed.
    BpeTokenizer tok = HeadTokenizer.train(documents, vocabSize);
    BlockPacker packer = new BlockPacker(128);
    List<int[]> blocks = new ArrayList<>();
    documents.forEach(d -> blocks.addAll(packer.add(tok.encode(d))));
    blocks.addAll(packer.finish());
    int quarter = blocks.size() / 4;

    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "n-gram benchmark: %d blocks of 129 tokens (vocab %d), n = 2..4, %d cores%n",
        blocks.size(), tok.vocabSize(), spark.sparkContext().defaultParallelism()));
    String fmt = "%-8s %12s %14s %14s %12s%n";
    out.append(String.format(Locale.ROOT, fmt, "data", "tokens", "dept tok/s", "MLlib tok/s", "dept/MLlib"));
    NgramJob stage = new NgramJob(spark, new NgramConfig(4, 1L, 100_000, List.of(100_000)));
    List<int[]> fgrams = null;
    for (int factor : new int[] {1, 2, 4}) {
      Dataset<Row> df = frame(blocks.subList(0, quarter * factor)).cache();
      long tokens = (long) quarter * factor * 129;
      df.count();
      if (factor == 1) { // warm-up of both paths
        stage.count(df, tok.vocabSize()).write().format("noop").mode("overwrite").save();
        mllib(df);
      }
      long t0 = System.nanoTime();
      Dataset<Row> counts = stage.count(df, tok.vocabSize());
      counts.write().format("noop").mode("overwrite").save();
      double ours = (System.nanoTime() - t0) / 1e9;
      if (factor == 1) {
        fgrams = NgramJob.collect(stage.select(counts)).get("b");
      }
      long t1 = System.nanoTime();
      mllib(df);
      double peer = (System.nanoTime() - t1) / 1e9;
      out.append(String.format(Locale.ROOT, "%-8s %12d %14.0f %14.0f %11.2fx%n", factor + "x", tokens, tokens / ours, tokens / peer, peer / ours));
      summary.add("ngrams", String.format(Locale.ROOT, "n-gram counting, n = 2..4, tokens/s at %dx (%,d tokens)", factor, tokens), tokens / ours,
          "MLlib NGram + CountVectorizer", tokens / peer, true);
      df.unpersist();
    }

    FgramMatcher matcher = new FgramMatcher(fgrams);
    int[] match = new int[129];
    long lookups = 0;
    long t0 = System.nanoTime();
    for (int rep = 0; rep < 3; rep++) {
      for (int[] b : blocks) {
        matcher.matchAll(b, match);
        lookups += b.length;
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    out.append(String.format(Locale.ROOT, "FgramMatcher (%d f-grams, longest-first, 1 thread): %.2f M positions/s%n",
        matcher.size(), lookups / secs / 1e6));
    summary.add("ngrams", "f-gram matcher, M positions/s, 1 thread", lookups / secs / 1e6, matcher.size() + " f-grams");
    out.append("MLlib: NGram(n) + CountVectorizer.fit for n = 2, 3, 4 over the tokens as strings (it also counts n-grams across <|eos|>).\n");
    return out.toString();
  }

  private Dataset<Row> frame(List<int[]> blocks) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < blocks.size(); i++) {
      rows.add(RowFactory.create("b", "b", "train", (long) i, Arrays.stream(blocks.get(i)).boxed().toArray(Integer[]::new)));
    }
    return spark.createDataFrame(rows, BLOCKS).repartition(spark.sparkContext().defaultParallelism() * 2);
  }

  private static void mllib(Dataset<Row> blocks) {
    Dataset<Row> words = blocks.select(expr("transform(tokens, t -> cast(t as string))").as("words"));
    for (int n = 2; n <= 4; n++) {
      Dataset<Row> grams = new NGram().setN(n).setInputCol("words").setOutputCol("grams").transform(words);
      new CountVectorizer().setInputCol("grams").setOutputCol("v").setVocabSize(1 << 24).setMinDF(1).fit(grams);
    }
  }
}
