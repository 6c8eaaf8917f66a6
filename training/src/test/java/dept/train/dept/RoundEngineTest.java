package dept.train.dept;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import dept.train.federated.OuterConfig;
import dept.train.local.AdamW;
import dept.train.local.BlockBatches;
import dept.train.local.LocalTrainer;
import dept.train.local.OptimConfig;
import dept.train.model.DecoderLm;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DEPT rounds on Spark (local[2] with one retry per task) over four sample sources of different
 * scripts: every variant learns, communicates what it should, resumes exactly and survives a retry.
 */
class RoundEngineTest {

  private static final List<String> SOURCES = List.of("en", "ja", "ru", "zh");
  private static SparkSession spark;
  private static Dataset<Row> blocks;
  private static final Map<String, Integer> vocab = new TreeMap<>();
  private static final Map<String, int[]> tokenBytes = new TreeMap<>();

  @TempDir static Path dir;

  @BeforeAll
  static void prepareBlocks() {
    spark = SparkSession.builder().master("local[2,2]").appName("dept-engine-test")
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

  private static TrainConfig config(String variant, int rounds, int sourcesPerRound, int replicas, String inner, OuterConfig outer) {
    return new TrainConfig(List.of(variant), rounds, 20, sourcesPerRound, replicas, 7L, 2, 2, 0, inner, 0.3, 30, 0,
        new OptimConfig(5e-3, 5e-4, 5, 0.0, null, null, null, 1.0, 8), outer);
  }

  private static RoundEngine engine(TrainConfig train, Path store) {
    return new RoundEngine(spark, SharingPolicy.of(train.variants().get(0)), train, new ModelConfig(32, 1, 2, 4), 32,
        store.toString(), vocab, tokenBytes);
  }

  private static Map<String, Double> validation(RoundEngine.Outcome out, int round) {
    Map<String, Double> loss = new TreeMap<>();
    out.log().validation().stream().filter(v -> v.round() == round).forEach(v -> loss.put(v.source(), v.loss()));
    return loss;
  }

  @ParameterizedTest
  @ValueSource(strings = {"STD", "ACT", "GLOB", "TRIM", "SPEC"})
  void everySourcesValidationLossFalls(String variant) {
    RoundEngine.Outcome out = engine(config(variant, 3, 0, 1, "reset", OuterConfig.defaults()), dir.resolve(variant)).run(blocks, SOURCES, false);
    Map<String, Double> before = validation(out, 0);
    Map<String, Double> after = validation(out, 3);
    assertEquals(SOURCES, List.copyOf(after.keySet()));
    for (String s : SOURCES) {
      assertTrue(after.get(s) < before.get(s) - 0.2, variant + " " + s + ": " + before.get(s) + " -> " + after.get(s));
    }
    boolean mixture = variant.equals("STD") || variant.equals("ACT");
    assertEquals(3 * (mixture ? 1 : SOURCES.size()), out.log().tasks().size());
    long bodyParams = out.body().parameterCount();
    long globalEmbeddingParams = mixture || variant.equals("GLOB") ? out.globalEmbeddings().parameterCount() : 0;
    for (RunLog.TaskRow r : out.log().tasks()) {
      switch (variant) {
        case "SPEC" -> assertEquals(out.body().toBytes().length, r.bytesUp(), "SPEC sends exactly the body");
        case "TRIM" -> assertTrue(r.paramsUp() > bodyParams && r.paramsUp() < bodyParams + out.globalEmbeddings().parameterCount(),
            "TRIM sends the body and its own rows only");
        default -> assertEquals(bodyParams + globalEmbeddingParams, r.paramsUp(), variant + " sends the whole model");
      }
      assertEquals(r.paramsUp(), r.paramsDown(), "what comes down goes back up");
    }
  }

  @Test
  void fedAvgOverOneSourceEqualsPlainLocalTraining() {
    TrainConfig train = config("SPEC", 1, 0, 1, "reset", OuterConfig.defaults());
    RoundEngine engine = engine(train, dir.resolve("one"));
    NamedTensors viaSpark = engine.run(blocks, List.of("en"), false).body();

    List<int[]> en = engine.blocksByTask(blocks, "train", List.of("en"), false, 1).collect().get(0)._2().get("en");
    DecoderLm lm = new DecoderLm(new ModelConfig(32, 1, 2, 4), vocab.get("en"), 32);
    long sourceSeed = 7 * 1_000_003L + "en".hashCode() * 7919L;
    NamedTensors body = lm.initBody(7);
    NamedTensors embed = lm.initEmbeddings(sourceSeed);
    NamedTensors direct = new LocalTrainer(lm, train.optim(), 20, "direct", 0)
        .train(body, embed, AdamW.State.fresh(body.with(embed)), new BlockBatches(en, 8, sourceSeed), 20, 0).body();
    assertEquals(direct, viaSpark, "bit for bit: tasks send new values, and the mean of one is itself");
  }

  @ParameterizedTest
  @ValueSource(strings = {"SPEC:keep:nesterov", "TRIM:average:fedavg", "STD:reset:fedavg"})
  void killedAndResumedRunEqualsUninterruptedRun(String setup) {
    String[] p = setup.split(":");
    TrainConfig train = config(p[0], 4, p[0].equals("STD") ? 0 : 3, 1, p[1], new OuterConfig(p[2], 0.7, 0.9, true));
    RoundEngine.Outcome whole = engine(train, dir.resolve("whole-" + p[0])).run(blocks, SOURCES, false);

    Path store = dir.resolve("killed-" + p[0]);
    engine(train, store).run(blocks, SOURCES, false, 3); // dies after round 3; the last checkpoint is round 2
    RoundEngine.Outcome resumed = engine(train, store).run(blocks, SOURCES, true);

    assertEquals(2, resumed.resumedFrom());
    assertEquals(whole.body(), resumed.body(), setup + ": body");
    assertEquals(whole.globalEmbeddings(), resumed.globalEmbeddings(), setup + ": embeddings");
    assertEquals(validation(whole, 4), validation(resumed, 4), setup + ": final validation");
    assertEquals(whole.log().tasks().size(), resumed.log().tasks().size(), "the log holds every round once");
  }

  @Test
  void resumeRefusesDifferentSettings() {
    Path store = dir.resolve("refuse");
    engine(config("SPEC", 2, 0, 1, "reset", OuterConfig.defaults()), store).run(blocks, SOURCES, false);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> engine(config("SPEC", 3, 0, 1, "reset", OuterConfig.defaults()), store).run(blocks, SOURCES, true));
    assertTrue(e.getMessage().contains("rounds: checkpoint has 2, config has 3"), e.getMessage());
  }

  @Test
  void aTaskThatFailsOnceIsRetriedAndTheRoundIsUnchanged() {
    TrainConfig train = config("GLOB", 2, 0, 1, "keep", OuterConfig.defaults());
    RoundEngine.Outcome clean = engine(train, dir.resolve("clean")).run(blocks, SOURCES, false);
    RoundEngine flaky = engine(train, dir.resolve("flaky"));
    flaky.injectFaults((source, replica, round, attempt) -> {
      if (source.equals("ja") && round == 2 && attempt == 0) {
        throw new IllegalStateException("injected failure of ja in round 2");
      }
    });
    RoundEngine.Outcome retried = flaky.run(blocks, SOURCES, false);
    assertEquals(clean.body(), retried.body());
    assertEquals(clean.globalEmbeddings(), retried.globalEmbeddings());
  }

  @Test
  void replicasTrainDisjointShardsOfTheirSource() {
    RoundEngine engine = engine(config("SPEC", 2, 0, 2, "reset", OuterConfig.defaults()), dir.resolve("replicas"));
    var shards = engine.blocksByTask(blocks, "train", List.of("en"), false, 2).collectAsMap();
    List<int[]> a = shards.get(new TaskKey("en", 0)).get("en");
    List<int[]> b = shards.get(new TaskKey("en", 1)).get("en");
    assertFalse(a.isEmpty() || b.isEmpty());
    assertTrue(a.stream().noneMatch(b::contains), "disjoint shards");
    RoundEngine.Outcome out = engine.run(blocks, SOURCES, false);
    assertEquals(2 * 2 * SOURCES.size(), out.log().tasks().size());
    Map<String, Double> before = validation(out, 0);
    validation(out, 2).forEach((s, loss) -> assertTrue(loss < before.get(s) - 0.2, s + ": " + before.get(s) + " -> " + loss));
  }
}
