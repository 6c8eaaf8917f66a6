package dept.train.rounds;

import dept.prep.SparkTestSession;
import dept.prep.io.AtomicOutput;
import dept.prep.ingest.IngestConfig;
import dept.prep.ingest.IngestResult;
import dept.prep.ingest.IngestJob;
import dept.prep.ingest.InputFormat;
import dept.prep.ingest.InputPlanner;
import dept.prep.ingest.SourceSpec;
import dept.prep.ngram.NgramConfig;
import dept.prep.ngram.NgramJob;
import dept.prep.pack.TokenizeConfig;
import dept.prep.pack.TokenizeJob;
import dept.prep.tokenizer.BpeModel;
import dept.prep.tokenizer.BpeTokenizer;
import dept.prep.tokenizer.PreTokenizer;
import dept.prep.tokenizer.TokenizerJson;
import dept.prep.tokenizer.VocabConfig;
import dept.prep.tokenizer.VocabJob;
import dept.train.federated.OuterConfig;
import dept.train.local.OptimConfig;
import dept.train.model.ModelConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * What the round tests share: four sample sources of different scripts (en, ja, ru, zh) ingested,
 * tokenized (400-token tokenizers, 700 global) and counted into f-grams once per test JVM, the
 * tests' small run settings (d 32, one layer, 20 local steps, seed 7) and the engine they build.
 */
final class RoundFixture {

  static final List<String> SOURCES = List.of("en", "ja", "ru", "zh");
  static SparkSession spark;
  /** The tokenized sample as `dept tokenize` writes it (Parquet by tokenizer and source), and read back. */
  static BlockFiles files;
  static Dataset<Row> blocks;
  static final Map<String, Integer> vocab = new TreeMap<>();
  static final Map<String, int[]> tokenBytes = new TreeMap<>();
  static Map<String, List<int[]>> fgramSets;
  static Dataset<Row> fgramTable;

  private static boolean prepared;

  private RoundFixture() {}

  /** Ingests, tokenizes and counts the sample once per JVM (local[2] with one retry per task). */
  static synchronized void prepare() {
    if (prepared) {
      return;
    }
    prepared = true;
    spark = SparkTestSession.get();
    String sample = Path.of("../data-prep/sample/sample.jsonl").toAbsolutePath().toString();
    List<SourceSpec> specs = List.of(
        source("en", sample, "en"), source("ja", sample, "ja"), source("ru", sample, "ru", "uk", "bg"), source("zh", sample, "zh", "zh-cn"));
    IngestConfig ingest = new IngestConfig(specs, null, 4096, null, 0.1);
    IngestResult docs = new IngestJob(spark, ingest, new Configuration()).run(new InputPlanner(new Configuration()).plan(ingest));
    Dataset<Row> documents = docs.documents().persist(StorageLevel.MEMORY_AND_DISK());
    VocabJob.Result tokenizers = new VocabJob(spark, new VocabConfig(400, null, 700, 0.3, 2L)).fit(documents);
    Map<String, String> json = new LinkedHashMap<>();
    tokenizers.tokenizers().forEach((n, r) -> {
      BpeModel m = r.model();
      json.put(n, TokenizerJson.write(new BpeTokenizer(PreTokenizer.standard(), m)));
      vocab.put(n, m.vocabSize());
      int[] bytes = new int[m.vocabSize()];
      for (int id = BpeModel.FIRST_BYTE_ID; id < bytes.length; id++) {
        bytes[id] = m.tokenBytes(id).length;
      }
      tokenBytes.put(n, bytes);
    });
    TokenizeJob.Result packed = new TokenizeJob(spark, new TokenizeConfig(32, TokenizeConfig.Encoder.DEPT, true)).run(documents, json);
    // One directory per test JVM: the module's two surefire forks each build the fixture.
    String dir = Path.of("target/round-fixture-blocks-" + ProcessHandle.current().pid()).toAbsolutePath().toString();
    AtomicOutput.writeParquet(packed.blocks(), dir, spark.sparkContext().hadoopConfiguration(), TokenizeJob.BLOCK_WRITE_OPTIONS,
        "tokenizer", "source");
    files = BlockFiles.at(dir, spark.sparkContext().hadoopConfiguration());
    blocks = files.dataset(spark);
    NgramJob ngrams = new NgramJob(spark, new NgramConfig(4, 2L, 3000, List.of(1000)));
    fgramTable = ngrams.select(ngrams.count(blocks, java.util.Collections.max(vocab.values()))).persist(StorageLevel.MEMORY_AND_DISK());
    fgramSets = NgramJob.collect(fgramTable);
    packed.release();
    documents.unpersist();
    docs.release();
  }

  static SourceSpec source(String name, String path, String... langs) {
    return new SourceSpec(name, List.of(path), InputFormat.JSONL, null, Map.of("lang", List.of(langs)), null, null);
  }

  static TrainConfig config(String variant, int rounds, int sourcesPerRound, int replicas, String inner, OuterConfig outer) {
    return config(base(variant, rounds), sourcesPerRound, replicas, inner, outer);
  }

  static TrainConfig config(TrainConfig.Builder base, int sourcesPerRound, int replicas, String inner, OuterConfig outer) {
    return base.sourcesPerRound(sourcesPerRound).replicas(replicas).checkpointEvery(2)
        .innerState(InnerState.valueOf(inner.toUpperCase(java.util.Locale.ROOT))).outer(outer).build();
  }

  /** A {@link #quick} config with fault injection and a round task timeout (seconds). */
  static TrainConfig faulty(String variant, int rounds, int timeoutS, FaultConfig faults, int checkpointEvery) {
    return quick(variant, rounds).checkpointEvery(checkpointEvery).taskTimeoutS(timeoutS).faults(faults).build();
  }

  /**
   * The tests' small runs: 20 local steps, seed 7, validation every 2 rounds on the first 64 blocks
   * of each source (a loss drop of 0.2 is far outside their noise), ACT resets every 30 steps.
   */
  static TrainConfig.Builder base(String variant, int rounds) {
    return TrainConfig.builder().variants(variant).rounds(rounds).localSteps(20).seed(7L).evalEvery(2).evalBlocks(64).actResetEvery(30)
        .optim(new OptimConfig(5e-3, 5e-4, 5, 0.0, null, null, null, 1.0, 8));
  }

  /**
   * For tests that compare two runs for equality or check plumbing, not learning: {@link #base}
   * with 4 local steps and 8 validation blocks per source (equality holds at any size; a fifth of
   * the work).
   */
  static TrainConfig.Builder quick(String variant, int rounds) {
    return base(variant, rounds).localSteps(4).evalBlocks(8);
  }

  static RoundEngine engine(TrainConfig train, Path store) {
    return new RoundEngine(spark, train.variants().get(0), train, new ModelConfig(32, 1, 2, 4), 32,
        store.toString(), vocab, tokenBytes).withFgrams(fgramSets);
  }

  static Map<String, Double> validation(RoundEngine.Outcome out, int round) {
    Map<String, Double> loss = new TreeMap<>();
    out.log().validation().stream().filter(v -> v.round() == round).forEach(v -> loss.put(v.source(), v.loss()));
    return loss;
  }
}
