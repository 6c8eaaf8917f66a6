package dept.train.dept;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.prep.ingest.IngestConfig;
import dept.prep.ingest.IngestResult;
import dept.prep.ingest.IngestStage;
import dept.prep.ingest.InputFormat;
import dept.prep.ingest.InputPlanner;
import dept.prep.ingest.SourceSpec;
import dept.prep.pack.TokenizeConfig;
import dept.prep.pack.TokenizeStage;
import dept.prep.tokenizer.BpeModel;
import dept.prep.tokenizer.BpeTokenizer;
import dept.prep.tokenizer.PreTokenizer;
import dept.prep.tokenizer.TokenizerJson;
import dept.prep.tokenizer.VocabConfig;
import dept.prep.tokenizer.VocabStage;
import dept.train.federated.FedAvg;
import dept.train.local.Evaluator;
import dept.train.local.OptimConfig;
import dept.train.model.ModelConfig;
import dept.train.params.NamedTensors;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** GLOB, TRIM and SPEC rounds on Spark over four sample sources of different scripts. */
class RoundEngineTest {

  private static final List<String> SOURCES = List.of("en", "ja", "ru", "zh");
  private static SparkSession spark;
  private static Dataset<Row> blocks;
  private static final Map<String, Integer> vocab = new TreeMap<>();
  private static final Map<String, int[]> tokenBytes = new TreeMap<>();

  @TempDir static Path dir;

  @BeforeAll
  static void prepareBlocks() {
    spark = SparkSession.builder().master("local[2]").appName("dept-engine-test")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4").config("spark.ui.enabled", "false").getOrCreate();
    String sample = Path.of("../data-prep/sample/sample.jsonl").toAbsolutePath().toString();
    List<SourceSpec> specs = List.of(
        source("en", sample, "en"), source("ja", sample, "ja"), source("ru", sample, "ru", "uk", "bg"), source("zh", sample, "zh", "zh-cn"));
    IngestConfig ingest = new IngestConfig(specs, null, 4096, null, 0.1);
    IngestResult docs = new IngestStage(spark, ingest, new Configuration()).run(new InputPlanner(new Configuration()).plan(ingest));
    Dataset<Row> documents = docs.documents().persist(StorageLevel.MEMORY_AND_DISK());
    VocabStage.Result tokenizers = new VocabStage(spark, new VocabConfig(400, null, 700, 0.3, 2L)).fit(documents);
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
    TokenizeStage.Result packed = new TokenizeStage(spark, new TokenizeConfig(32, "dept", true)).run(documents, json);
    blocks = packed.blocks().persist(StorageLevel.MEMORY_AND_DISK());
    blocks.count();
    packed.release();
    documents.unpersist();
    docs.release();
  }

  private static SourceSpec source(String name, String path, String... langs) {
    return new SourceSpec(name, List.of(path), InputFormat.JSONL, null, Map.of("lang", List.of(langs)), null, null);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static RoundEngine engine(String variant, Path store) {
    RoundEngine.Settings s = new RoundEngine.Settings(SharingPolicy.of(variant), 3, 20, 0, 7,
        new OptimConfig(5e-3, 5e-4, 5, 0.0, null, null, null, 1.0, 8), new ModelConfig(32, 1, 2, 4), 32);
    return new RoundEngine(spark, s, new FedAvg(true), store.toString(), vocab);
  }

  @ParameterizedTest
  @ValueSource(strings = {"GLOB", "TRIM", "SPEC"})
  void everySourcesValidationLossFalls(String variant) {
    RoundEngine engine = engine(variant, dir.resolve(variant));
    Map<String, Evaluator.Metrics> before =
        engine.evaluate(blocks, SOURCES, engine.initialBody(), engine.initialGlobalEmbeddings(), tokenBytes);
    RoundEngine.Outcome out = engine.run(blocks, SOURCES);
    Map<String, Evaluator.Metrics> after = engine.evaluate(blocks, SOURCES, out.body(), out.globalEmbeddings(), tokenBytes);
    for (String s : SOURCES) {
      assertTrue(after.get(s).meanLoss() < before.get(s).meanLoss() - 0.2,
          variant + " " + s + ": " + before.get(s).meanLoss() + " -> " + after.get(s).meanLoss());
    }
    assertEquals(3 * SOURCES.size(), out.results().size());
    long bodyBytes = out.body().toBytes().length;
    for (SourceTask.Result r : out.results()) {
      if (variant.equals("SPEC")) {
        assertEquals(bodyBytes, r.bytesUp(), "SPEC sends exactly the body");
      } else {
        assertTrue(r.bytesUp() > bodyBytes, variant + " sends embeddings too");
      }
    }
    if (variant.equals("TRIM")) {
      SourceTask.Result zh = out.results().stream().filter(r -> r.source().equals("zh")).findFirst().orElseThrow();
      assertTrue(zh.trimIds().length < vocab.get(VocabConfig.GLOBAL), "TRIM holds only its rows");
    }
  }

  @org.junit.jupiter.api.Test
  void fedAvgOverOneSourceEqualsPlainLocalTraining() {
    RoundEngine.Settings s = new RoundEngine.Settings(SharingPolicy.of("SPEC"), 1, 20, 0, 7,
        new OptimConfig(5e-3, 5e-4, 5, 0.0, null, null, null, 1.0, 8), new ModelConfig(32, 1, 2, 4), 32);
    RoundEngine engine = new RoundEngine(spark, s, new FedAvg(true), dir.resolve("one").toString(), vocab);
    NamedTensors viaSpark = engine.run(blocks, List.of("en")).body();

    List<int[]> en = engine.blocksBySource(blocks, "train", List.of("en")).collect().get(0)._2();
    dept.train.model.DecoderLm lm = new dept.train.model.DecoderLm(s.model(), vocab.get("en"), 32);
    long sourceSeed = 7 * 1_000_003L + "en".hashCode() * 7919L;
    NamedTensors body = lm.initBody(7);
    NamedTensors embed = lm.initEmbeddings(sourceSeed);
    NamedTensors direct = new dept.train.local.LocalTrainer(lm, s.optim(), 20, "direct", 0)
        .train(body, embed, dept.train.local.AdamW.State.fresh(body.with(embed)),
            new dept.train.local.BlockBatches(en, 8, sourceSeed + 1), 20, 0).body();
    assertEquals(direct, viaSpark, "bit for bit: tasks send new values, and the mean of one is itself");
  }
}
