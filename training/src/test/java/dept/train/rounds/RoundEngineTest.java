package dept.train.rounds;

import java.util.ArrayList;
import org.junit.jupiter.params.provider.MethodSource;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.prep.SparkTestSession;
import dept.train.random.Seeds;
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
import dept.train.local.AdamW;
import dept.train.local.BlockBatches;
import dept.train.local.LocalTrainer;
import dept.train.local.OptimConfig;
import dept.train.model.DecoderLm;
import dept.train.model.ModelConfig;
import dept.train.params.NamedTensors;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dept.train.local.Batches;
import dept.train.model.ModelParams;
import dept.train.scone.FgramEmbeddingStore;
import dept.train.scone.table.SconeTableJob;
import dept.train.scone.SconeTableReader;
import dept.train.scone.TableInput;
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
  private static Map<String, List<int[]>> fgramSets;
  private static Dataset<Row> fgramTable;

  @TempDir static Path dir;

  @BeforeAll
  static void prepareBlocks() {
    spark = SparkTestSession.get(); // local[2] with one retry per task
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
    blocks = packed.blocks().persist(StorageLevel.MEMORY_AND_DISK());
    blocks.count();
    NgramJob ngrams = new NgramJob(spark, new NgramConfig(4, 2L, 3000, List.of(1000)));
    fgramTable = ngrams.select(ngrams.count(blocks, java.util.Collections.max(vocab.values()))).persist(StorageLevel.MEMORY_AND_DISK());
    fgramSets = NgramJob.collect(fgramTable);
    packed.release();
    documents.unpersist();
    docs.release();
  }

  private static SourceSpec source(String name, String path, String... langs) {
    return new SourceSpec(name, List.of(path), InputFormat.JSONL, null, Map.of("lang", List.of(langs)), null, null);
  }

  private static TrainConfig config(String variant, int rounds, int sourcesPerRound, int replicas, String inner, OuterConfig outer) {
    return base(variant, rounds).sourcesPerRound(sourcesPerRound).replicas(replicas).checkpointEvery(2)
        .innerState(InnerState.valueOf(inner.toUpperCase(java.util.Locale.ROOT))).outer(outer).build();
  }

  /** A config with fault injection and a round task timeout (seconds). */
  private static TrainConfig faulty(String variant, int rounds, int timeoutS, FaultConfig faults, int checkpointEvery) {
    return base(variant, rounds).checkpointEvery(checkpointEvery).taskTimeoutS(timeoutS).faults(faults).build();
  }

  /** The tests' small runs: 20 local steps, seed 7, validation every 2 rounds, ACT resets every 30 steps. */
  private static TrainConfig.Builder base(String variant, int rounds) {
    return TrainConfig.builder().variants(variant).rounds(rounds).localSteps(20).seed(7L).evalEvery(2).actResetEvery(30)
        .optim(new OptimConfig(5e-3, 5e-4, 5, 0.0, null, null, null, 1.0, 8));
  }

  private static RoundEngine engine(TrainConfig train, Path store) {
    return new RoundEngine(spark, train.variants().get(0), train, new ModelConfig(32, 1, 2, 4), 32,
        store.toString(), vocab, tokenBytes).withFgrams(fgramSets);
  }

  private static Map<String, Double> validation(RoundEngine.Outcome out, int round) {
    Map<String, Double> loss = new TreeMap<>();
    out.log().validation().stream().filter(v -> v.round() == round).forEach(v -> loss.put(v.source(), v.loss()));
    return loss;
  }

  @ParameterizedTest
  @ValueSource(strings = {"STD", "ACT", "GLOB", "TRIM", "SPEC", "SPEC+SCONE", "TRIM+SCONE", "STD+SCONE", "SPEC+RTD", "GLOB+RTD"})
  void everySourcesValidationLossFalls(String variant) {
    RoundEngine.Outcome out = engine(config(variant, 3, 0, 1, "reset", OuterConfig.defaults()), dir.resolve(variant)).run(blocks, SOURCES, false);
    Map<String, Double> before = validation(out, 0);
    Map<String, Double> after = validation(out, 3);
    assertEquals(SOURCES, List.copyOf(after.keySet()));
    for (String s : SOURCES) {
      assertTrue(after.get(s) < before.get(s) - 0.2, variant + " " + s + ": " + before.get(s) + " -> " + after.get(s));
    }
    boolean mixture = variant.startsWith("STD") || variant.startsWith("ACT");
    assertEquals(3 * (mixture ? 1 : SOURCES.size()), out.log().tasks().size());
    long bodyParams = out.body().parameterCount();
    String base = variant.split("\\+")[0];
    long globalEmbeddingParams = mixture || base.equals("GLOB") ? out.globalEmbeddings().parameterCount() : 0;
    for (RunLog.TaskRow r : out.log().tasks()) {
      switch (base) {
        case "SPEC" -> assertEquals(out.body().toBytes().length, r.bytesUp(), "SPEC sends exactly the body");
        case "TRIM" -> assertTrue(r.paramsUp() > bodyParams && r.paramsUp() < bodyParams + out.globalEmbeddings().parameterCount(),
            "TRIM sends the body and its own rows only");
        default -> assertEquals(bodyParams + globalEmbeddingParams, r.paramsUp(), variant + " sends the whole model");
      }
      assertEquals(r.paramsUp(), r.paramsDown(), "what comes down goes back up");
    }
  }

  /**
   * SPEC+SCONE learns and keeps its f-gram model at the source (the lookup test below shows the
   * logits go through it). Whether it beats SPEC
   * is not asserted: at this size (d 32, 60 steps) the two are within seed noise (5.020 vs 5.017
   * at 3 rounds, 4.768 vs 4.722 at 6, with the unified seeds); that is the study's question.
   */
  @Test
  void sconeLearnsAndKeepsItsFgramModelAtTheSource() {
    RoundEngine.Outcome out = engine(config("SPEC+SCONE", 3, 0, 1, "reset", OuterConfig.defaults()), dir.resolve("scone")).run(blocks, SOURCES, false);
    Map<String, Double> before = validation(out, 0);
    validation(out, 3).forEach((s, loss) -> assertTrue(loss < before.get(s) - 0.5, s + ": " + before.get(s) + " -> " + loss));
    for (RunLog.TaskRow r : out.log().tasks()) {
      assertEquals(out.body().toBytes().length, r.bytesUp(), "the f-gram model is local to its source: only the body is sent");
    }
  }

  @Test
  void thePrecomputedParquetTableServesTheSameLogitsAsTheFgramModel() {
    TrainConfig train = config("SPEC+SCONE", 2, 0, 1, "reset", OuterConfig.defaults());
    RoundEngine engine = engine(train, dir.resolve("precompute"));
    TrainedModel model = engine.export(engine.run(blocks, SOURCES, false), SOURCES);
    String target = dir.resolve("scone-table").toString();
    List<SconeTableJob.TableStats> stats = new SconeTableJob(spark, new Configuration()).run(model, fgramTable, target, 3);
    assertEquals(SOURCES, stats.stream().map(SconeTableJob.TableStats::table).toList());
    for (SconeTableJob.TableStats t : stats) {
      assertEquals(train.scone().usable(fgramSets.get(t.table())).size(), t.fgrams(), t.table() + ": one row per usable f-gram");
      assertEquals((long) vocab.get(t.table()), t.tokens(), t.table() + ": one row per token");
      assertEquals(t.fgrams() + t.tokens(), t.rows());
    }
    List<int[]> en = TaskBlocks.of(blocks, train.variants().get(0), "val", List.of("en"), false, 1).collect().get(0)._2().get("en").subList(0, 8);
    try (FgramEmbeddingStore store = SconeTableReader.load(target + "/table=en", new Configuration());
        NDManager root = NDManager.newBaseManager();
        ModelParams params = new ModelParams(model.body().with(model.embeddings().get("en")), root, root.getDevice(), false);
        NDManager step = params.manager().newSubManager()) {
      for (int[] key : train.scone().usable(fgramSets.get("en"))) {
        assertTrue(store.rowOf(key) >= 0, "key " + java.util.Arrays.toString(key) + " round-trips");
      }
      int[][] batch = en.stream().map(b -> java.util.Arrays.copyOf(b, 32)).toArray(int[][]::new);
      NDArray tokens = Batches.toArray(batch, step);
      float[] viaModel = model.decoder("en", fgramSets.get("en")).logits(tokens, params, step).toFloatArray();
      DecoderLm viaTable = new DecoderLm(model.model(), vocab.get("en"), 32).withInput(new TableInput(store));
      float[] viaLookup = viaTable.logits(tokens, params, step).toFloatArray();
      float max = 0;
      for (int i = 0; i < viaModel.length; i++) {
        max = Math.max(max, Math.abs(viaModel[i] - viaLookup[i]));
      }
      assertTrue(max < 1e-5, "max |logit difference| " + max);
    }
  }

  private static double meanFinalLoss(RoundEngine.Outcome out) {
    int last = out.log().validation().stream().mapToInt(RunLog.ValidationRow::round).max().orElseThrow();
    return validation(out, last).values().stream().mapToDouble(Double::doubleValue).average().orElseThrow();
  }

  /** Every variant the config accepts trains a round, validates, exports and reloads its model. */
  @ParameterizedTest
  @MethodSource("acceptedVariants")
  void everyAcceptedVariantTrainsValidatesAndExports(String name) {
    TrainConfig train = base(name, 1).localSteps(2).evalEvery(1).evalBlocks(4).build();
    RoundEngine engine = engine(train, dir.resolve("matrix-" + Variant.parse(name).directory()));
    RoundEngine.Outcome out = engine.run(blocks, SOURCES, false);
    for (int round : new int[] {0, 1}) {
      Map<String, Double> loss = validation(out, round);
      assertEquals(SOURCES, List.copyOf(loss.keySet()), name + " validates every source after round " + round);
      loss.forEach((s, l) -> assertTrue(Double.isFinite(l), name + " " + s + ": " + l));
    }
    String saved = dir.resolve("matrix-model-" + Variant.parse(name).directory()).toString();
    engine.export(out, SOURCES).save(saved, new Configuration());
    TrainedModel model = TrainedModel.load(saved, new Configuration());
    assertEquals(name, model.variant());
    assertEquals(out.body(), model.body());
    assertEquals(Variant.parse(name).scone(), model.scone() != null, name + " keeps its SCONE settings");
    assertEquals(Variant.parse(name).rtd(), model.rtd() != null, name + " keeps its RTD settings");
  }

  static List<String> acceptedVariants() {
    List<String> names = new ArrayList<>();
    for (Sharing s : Sharing.values()) {
      for (String suffix : List.of("", "+SCONE", "+RTD")) {
        names.add(Variant.parse(s + suffix).name());
      }
    }
    return names;
  }

  @Test
  void fedAvgOverOneSourceEqualsPlainLocalTraining() {
    TrainConfig train = config("SPEC", 1, 0, 1, "reset", OuterConfig.defaults());
    RoundEngine engine = engine(train, dir.resolve("one"));
    NamedTensors viaSpark = engine.run(blocks, List.of("en"), false).body();

    List<int[]> en = TaskBlocks.of(blocks, train.variants().get(0), "train", List.of("en"), false, 1).collect().get(0)._2().get("en");
    DecoderLm lm = new DecoderLm(new ModelConfig(32, 1, 2, 4), vocab.get("en"), 32);
    NamedTensors body = lm.initBody(Seeds.derive(7, "body"));
    NamedTensors embed = lm.initEmbeddings(Seeds.derive(7, "embeddings", "en"));
    NamedTensors direct = new LocalTrainer(lm, train.optim(), 20, "direct", 0)
        .train(body, embed, AdamW.State.fresh(body.with(embed)), new BlockBatches(en, 8, Seeds.derive(7, "task", "en", 0)), 20, 0).body();
    assertEquals(direct, viaSpark, "bit for bit: tasks send new values, and the mean of one is itself");
  }

  @ParameterizedTest
  @ValueSource(strings = {"SPEC:keep:nesterov:3", "SPEC:keep:nesterov:1", "SPEC:keep:nesterov:2", "TRIM:average:fedavg:3",
      "STD:reset:fedavg:3", "SPEC+SCONE:keep:fedavg:3", "GLOB+SCONE:reset:fedavg:3", "SPEC+RTD:keep:fedavg:3"})
  void killedAndResumedRunEqualsUninterruptedRun(String setup) {
    String[] p = setup.split(":");
    int killedAfter = Integer.parseInt(p[3]);
    TrainConfig train = config(p[0], 4, p[0].startsWith("STD") ? 0 : 3, 1, p[1], new OuterConfig(OuterConfig.Kind.valueOf(p[2].toUpperCase(java.util.Locale.ROOT)), 0.7, 0.9, true));
    RoundEngine.Outcome whole = engine(train, dir.resolve("whole-" + setup.replace(':', '-'))).run(blocks, SOURCES, false);

    Path store = dir.resolve("killed-" + setup.replace(':', '-'));
    // Dies after round k (checkpoints every 2 rounds: after round 1 or 3 its tasks' states are
    // written but the round is not checkpointed, so the resume re-runs it).
    engine(train, store).run(blocks, SOURCES, false, killedAfter);
    RoundEngine.Outcome resumed = engine(train, store).run(blocks, SOURCES, true);

    assertEquals(killedAfter / 2 * 2, resumed.resumedFrom());
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
    var shards = TaskBlocks.of(blocks, Variant.parse("SPEC"), "train", List.of("en"), false, 2).collectAsMap();
    List<int[]> a = shards.get(new TaskKey("en", 0)).get("en");
    List<int[]> b = shards.get(new TaskKey("en", 1)).get("en");
    assertFalse(a.isEmpty() || b.isEmpty());
    assertTrue(a.stream().noneMatch(b::contains), "disjoint shards");
    RoundEngine.Outcome out = engine.run(blocks, SOURCES, false);
    assertEquals(2 * 2 * SOURCES.size(), out.log().tasks().size());
    Map<String, Double> before = validation(out, 0);
    validation(out, 2).forEach((s, loss) -> assertTrue(loss < before.get(s) - 0.2, s + ": " + before.get(s) + " -> " + loss));
  }

  @Test
  void injectedFailuresAndHangsAreRecoveredAndTheResultIsUnchanged() {
    RoundEngine.Outcome clean = engine(faulty("GLOB", 3, 0, null, 1), dir.resolve("drill-clean")).run(blocks, SOURCES, false);
    FaultConfig drill = new FaultConfig(0.25, 0.15, 0.0, 600, 31L); // seed 31: 3 failures, 1 hang (round 3)
    long failed = 0;
    long hung = 0;
    for (int round = 1; round <= 3; round++) {
      for (String s : SOURCES) {
        failed += drill.pick(s, 0, round) == FaultConfig.Fault.FAIL ? 1 : 0;
        hung += drill.pick(s, 0, round) == FaultConfig.Fault.HANG ? 1 : 0;
      }
    }
    assertTrue(failed > 0 && hung > 0, "the drill injects both kinds: " + failed + " failures, " + hung + " hangs");
    RoundEngine.Outcome drilled = engine(faulty("GLOB", 3, 15, drill, 1), dir.resolve("drill")).run(blocks, SOURCES, false);
    assertEquals(clean.body(), drilled.body(), "Spark's retries and the round timeout recover exactly");
    assertEquals(clean.globalEmbeddings(), drilled.globalEmbeddings());
  }

  @Test
  void aDivergedSourceIsLeftOutOfItsRoundAndTrainsAgainFromItsPreviousState() {
    FaultConfig nan = new FaultConfig(0.0, 0.0, 0.3, null, 5L);
    Path store = dir.resolve("nan");
    RoundEngine.Outcome out = engine(faulty("SPEC", 4, 0, nan, 10), store).run(blocks, SOURCES, false);
    List<RunLog.TaskRow> excluded = out.log().tasks().stream().filter(RunLog.TaskRow::excluded).toList();
    assertFalse(excluded.isEmpty(), "the drill poisons some updates");
    assertTrue(excluded.size() < out.log().tasks().size());
    assertTrue(out.body().allFinite(), "a NaN update never reaches the body");
    CheckpointStore checkpoints = new CheckpointStore(store.toString(), new Configuration());
    assertTrue(NamedTensors.fromBytes(checkpoints.latestComplete().orElseThrow().files().get("body.bin")).allFinite());
    for (RunLog.TaskRow r : excluded) {
      String state = new TaskKey(r.source(), 0).statePath();
      byte[] before = checkpoints.readSourceState(state, r.round() - 1).orElse(SourceState.empty().toBytes());
      byte[] after = checkpoints.readSourceState(state, r.round()).orElse(new byte[0]);
      assertArrayEquals(before, after, r.source() + " keeps its previous state after diverging in round " + r.round());
    }
    validation(out, 4).forEach((s, loss) -> assertTrue(Double.isFinite(loss), s));
  }

  @Test
  void aTornNewestCheckpointFallsBackToThePreviousOneAndStillEndsIdentical() throws Exception {
    TrainConfig train = faulty("SPEC", 4, 0, null, 1);
    RoundEngine.Outcome whole = engine(train, dir.resolve("torn-whole")).run(blocks, SOURCES, false);
    Path store = dir.resolve("torn");
    engine(train, store).run(blocks, SOURCES, false, 3);
    // The driver died while writing round 3's checkpoint: its body no longer matches the manifest,
    // and a half-written round-4 directory was never renamed into place.
    Path body = store.resolve("round-00003").resolve("body.bin");
    byte[] bytes = java.nio.file.Files.readAllBytes(body);
    bytes[bytes.length / 2] ^= 1;
    java.nio.file.Files.delete(body);
    java.nio.file.Files.deleteIfExists(store.resolve("round-00003").resolve(".body.bin.crc"));
    java.nio.file.Files.write(body, bytes);
    java.nio.file.Files.createDirectories(store.resolve("._tmp-round-00004-dead"));
    java.nio.file.Files.write(store.resolve("._tmp-round-00004-dead").resolve("body.bin"), new byte[] {1, 2, 3});
    RoundEngine.Outcome resumed = engine(train, store).run(blocks, SOURCES, true);
    assertEquals(2, resumed.resumedFrom(), "round 3's torn checkpoint is skipped");
    assertEquals(whole.body(), resumed.body());
  }

  /** Many short rounds in chunks (each a resume): driver heap and process memory stay flat. */
  @Test
  void soakOfManyRoundsKeepsMemoryFlat() throws Exception {
    int rounds = 120;
    TrainConfig train = TrainConfig.builder().variants("SPEC").rounds(rounds).localSteps(2).sourcesPerRound(2).seed(3L)
        .checkpointEvery(5).evalEvery(1000).evalBlocks(4).innerState(InnerState.KEEP).actResetEvery(30)
        .optim(new OptimConfig(5e-3, 5e-4, 2, 0.0, null, null, null, 1.0, 2)).build();
    Path store = dir.resolve("soak");
    long[] heap = new long[4];
    long[] rss = new long[4];
    for (int chunk = 0; chunk < 4; chunk++) {
      engine(train, store).run(blocks, SOURCES, chunk > 0, (chunk + 1) * rounds / 4);
      System.gc();
      heap[chunk] = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
      rss[chunk] = residentBytes();
    }
    System.out.printf("soak: %d rounds; heap after GC %s MB; RSS %s MB%n", rounds,
        java.util.Arrays.toString(java.util.Arrays.stream(heap).map(b -> b >> 20).toArray()),
        java.util.Arrays.toString(java.util.Arrays.stream(rss).map(b -> b >> 20).toArray()));
    assertTrue(heap[3] - heap[1] < 64L << 20, "driver heap grows: " + java.util.Arrays.toString(heap));
    assertTrue(rss[3] - rss[1] < 192L << 20, "process memory grows: " + java.util.Arrays.toString(rss));
  }

  private static long residentBytes() throws java.io.IOException {
    for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return 0;
  }

  @Test
  void whenEverySourceExplodesTheBodyStaysAsItWas() {
    TrainConfig reckless = base("SPEC", 1).evalEvery(1).maxLossRatio(1.5)
        .optim(new OptimConfig(5.0, 5.0, 0, 0.0, null, null, null, 0.0, 8)).build();
    RoundEngine engine = engine(reckless, dir.resolve("reckless"));
    RoundEngine.Outcome out = engine.run(blocks, SOURCES, false);
    assertTrue(out.log().tasks().stream().allMatch(RunLog.TaskRow::excluded), "lr 5 diverges everywhere");
    assertEquals(new DecoderLm(new ModelConfig(32, 1, 2, 4), 1, 32).initBody(Seeds.derive(7, "body")), out.body(), "no update was applied");
  }
}
