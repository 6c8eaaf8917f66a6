package dept.train.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.prep.SparkTestSession;
import dept.prep.io.HadoopConfig;
import dept.prep.pack.TokenArrays;
import dept.prep.tokenizer.BpeModel;
import dept.train.SampleCorpus;
import dept.train.local.Evaluator;
import dept.train.model.DecoderLm;
import dept.train.model.ModelConfig;
import dept.train.params.NamedTensors;
import dept.train.rtd.RtdConfig;
import dept.train.rtd.RtdEvaluator;
import dept.train.rtd.RtdModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scoring job on two sample languages (own BPE each, an untrained model): its rows equal one
 * sequential pass over the same blocks, and with the driver's result size limited to 1 MiB it
 * scores a corpus that collecting the blocks cannot.
 */
class ScoringJobTest {

  private static final int SEQ = 32;
  private static final ModelConfig MODEL = new ModelConfig(32, 2, 4, 2);
  private static final List<String> LANGS = List.of("de", "en");
  private static SparkSession spark;
  private static final Map<String, List<int[]>> train = new TreeMap<>();
  private static final Map<String, List<int[]>> val = new TreeMap<>();
  private static final Map<String, int[]> tokenBytes = new TreeMap<>();
  private static final Map<String, NamedTensors> embeddings = new TreeMap<>();
  private static final Map<String, String> units = new TreeMap<>();
  private static NamedTensors body;

  @BeforeAll
  static void corpus() throws Exception {
    // Its own session, with the driver's result limit set low: the shared test session has none.
    SparkTestSession.stop();
    spark = SparkSession.builder().master("local[2]").appName("dept-scoring-test")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4").config("spark.ui.enabled", "false")
        .config("spark.driver.maxResultSize", "1m").getOrCreate();
    assertEquals("1m", spark.sparkContext().getConf().get("spark.driver.maxResultSize"), "a fresh context with the limit");
    for (String lang : LANGS) {
      SampleCorpus.Split docs = SampleCorpus.documents(lang);
      BpeModel bpe = SampleCorpus.bpe(docs.train(), 400);
      train.put(lang, SampleCorpus.blocks(docs.train(), bpe, SEQ));
      val.put(lang, SampleCorpus.blocks(docs.val(), bpe, SEQ));
      int[] bytes = new int[bpe.vocabSize()];
      for (int id = BpeModel.FIRST_BYTE_ID; id < bytes.length; id++) {
        bytes[id] = bpe.tokenBytes(id).length;
      }
      tokenBytes.put(lang, bytes);
      RtdModel rtd = new RtdModel(MODEL, bpe.vocabSize(), SEQ, rtd());
      embeddings.put(lang, new DecoderLm(MODEL, bpe.vocabSize(), SEQ).initEmbeddings(3).with(rtd.initGenerator(3)));
      units.put(lang, lang);
    }
    RtdModel heads = new RtdModel(MODEL, 400, SEQ, rtd());
    body = new DecoderLm(MODEL, 400, SEQ).initBody(3).with(heads.initHeads(3));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static RtdConfig rtd() {
    return new RtdConfig(RtdConfig.Generator.UNIFORM, null, null, null, null, List.of(1.0, 0.9, 0.6), null, null);
  }

  /** Blocks as rows of (unit, block_id, tokens), in shuffled order: the job numbers them by block id, not by arrival. */
  private static Dataset<Row> rows(Map<String, List<int[]>> blocks) {
    List<Row> rows = new ArrayList<>();
    blocks.forEach((unit, bs) -> {
      for (int i = 0; i < bs.size(); i++) {
        rows.add(RowFactory.create(unit, (long) i, TokenArrays.boxed(bs.get(i))));
      }
    });
    Collections.shuffle(rows, new Random(5));
    return spark.createDataFrame(rows, ScoringBlocks.SCHEMA).repartition(3);
  }

  private static BroadcastModel broadcast() {
    return BroadcastModel.of(spark, MODEL, SEQ, body, embeddings);
  }

  @Test
  void languageModelSumsEqualOneSequentialPass() {
    BroadcastModel model = broadcast();
    SortedMap<String, LanguageModelScore> scores = new ScoringJob(16).run(rows(val), 40,
        new LanguageModelScorer(model, units, tokenBytes, Map.of(), new HadoopConfig(new Configuration())));
    model.destroy();
    assertEquals(LANGS, new ArrayList<>(scores.keySet()));
    for (String lang : LANGS) {
      List<int[]> first = val.get(lang).subList(0, Math.min(40, val.get(lang).size()));
      Evaluator.Metrics direct = new Evaluator(new DecoderLm(MODEL, tokenBytes.get(lang).length, SEQ), 16)
          .evaluate(body, embeddings.get(lang), first, tokenBytes.get(lang));
      assertEquals(direct, scores.get(lang).metrics(), lang);
      assertTrue(direct.tokens() > 16 * SEQ, lang + ": more than one batch scored");
    }
  }

  @Test
  void earlyExitRowsAndUnigramCountsEqualOneSequentialPass() {
    Map<String, Integer> vocab = new TreeMap<>();
    tokenBytes.forEach((lang, b) -> vocab.put(lang, b.length));
    SortedMap<String, long[]> counts = UnigramCounts.count(rows(train), vocab);
    Map<String, double[]> cdfs = new TreeMap<>();
    for (String lang : LANGS) {
      double[] direct = RtdModel.unigramCdf(train.get(lang), vocab.get(lang));
      assertArrayEquals(direct, RtdModel.unigramCdf(counts.get(lang)), lang);
      cdfs.put(lang, direct);
    }
    BroadcastModel model = broadcast();
    SortedMap<String, ArrayList<RtdEvaluator.Row>> scores = new ScoringJob(16).run(rows(val), 40,
        new RtdScorer(model, model, rtd().generator(), rtd(), units, cdfs, 11));
    model.destroy();
    for (String lang : LANGS) {
      RtdModel rtd = new RtdModel(MODEL, vocab.get(lang), SEQ, rtd());
      List<RtdEvaluator.Row> direct = new RtdEvaluator(rtd, 16).evaluate(body, embeddings.get(lang),
          val.get(lang).subList(0, Math.min(40, val.get(lang).size())), cdfs.get(lang), rtd().thresholds(), 11);
      assertEquals(direct, scores.get(lang), lang);
    }
  }

  @Test
  void nothingThatGrowsWithTheCorpusReachesTheDriver() {
    Map<String, List<int[]>> large = new TreeMap<>();
    Map<String, Integer> vocab = new TreeMap<>();
    Map<String, String> tokenizers = new TreeMap<>();
    for (int copy = 0; copy < 12; copy++) {
      for (String lang : LANGS) {
        large.put(lang + "#" + copy, train.get(lang));
        vocab.put(lang + "#" + copy, tokenBytes.get(lang).length);
        tokenizers.put(lang + "#" + copy, lang);
      }
    }
    Dataset<Row> blocks = rows(large).cache();
    // The driver-side way (collect every block, count there) is over the limit ...
    Exception e = assertThrows(Exception.class, () -> blocks.select("tokens").collectAsList());
    assertTrue(String.valueOf(e.getMessage()).contains("maxResultSize"), e.getMessage());
    // ... the same corpus counted and scored in Spark is not.
    SortedMap<String, long[]> counts = UnigramCounts.count(blocks, vocab);
    assertEquals(large.size(), counts.size());
    BroadcastModel model = broadcast();
    SortedMap<String, LanguageModelScore> scores = new ScoringJob(16).run(blocks, 32,
        new LanguageModelScorer(model, tokenizers, tokenBytes, Map.of(), new HadoopConfig(new Configuration())));
    model.destroy();
    assertEquals(large.keySet(), scores.keySet());
    assertEquals(scores.get("en#0"), scores.get("en#11"), "the same blocks give the same sums in any unit");
    blocks.unpersist();
  }
}
