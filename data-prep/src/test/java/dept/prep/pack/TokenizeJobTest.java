package dept.prep.pack;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.prep.SparkTestSession;
import dept.prep.ingest.IngestConfig;
import dept.prep.ingest.IngestResult;
import dept.prep.ingest.IngestJob;
import dept.prep.ingest.InputFormat;
import dept.prep.ingest.InputPlanner;
import dept.prep.ingest.SourceSpec;
import dept.prep.tokenizer.BpeTokenizer;
import dept.prep.tokenizer.PreTokenizer;
import dept.prep.tokenizer.TokenizerJson;
import dept.prep.tokenizer.VocabConfig;
import dept.prep.tokenizer.VocabJob;
import dept.prep.tokenizer.WordCounter;
import java.nio.file.Path;
import java.util.HashMap;
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

/** vocab and tokenize on Spark over an ingest of the sample corpus (three sources). */
class TokenizeJobTest {

  private static final String SAMPLE = Path.of("sample/sample.jsonl").toAbsolutePath().toString();
  private static final SparkSession spark = SparkTestSession.get();
  private static final VocabConfig VOCAB = new VocabConfig(600, Map.of("ru", 500), 900, 0.3, 2L);

  private static Dataset<Row> documents;
  private static VocabJob.Result vocab;
  private static Map<String, String> json;

  private static SourceSpec source(String name, String... langs) {
    return new SourceSpec(name, List.of(SAMPLE), InputFormat.JSONL, null, Map.of("lang", List.of(langs)), null, null);
  }

  @BeforeAll
  static void ingestAndTrain() {
    IngestConfig config = new IngestConfig(List.of(source("en", "en"), source("ru", "ru", "uk"), source("zh", "zh")), null, 4096, null, 0.1);
    IngestJob ingest = new IngestJob(spark, config, new Configuration());
    IngestResult result = ingest.run(new InputPlanner(new Configuration()).plan(config));
    documents = result.documents().persist(StorageLevel.MEMORY_AND_DISK());
    documents.count();
    vocab = new VocabJob(spark, VOCAB).fit(documents);
    json = new LinkedHashMap<>();
    vocab.tokenizers().forEach((n, r) -> json.put(n, TokenizerJson.write(new BpeTokenizer(PreTokenizer.standard(), r.model()))));
  }

  @AfterAll
  static void release() {
    documents.unpersist();
  }

  @Test
  void sparkWordCountsEqualOneCounterOverTheSameTrainDocuments() {
    Map<String, WordCounter> expected = new TreeMap<>();
    documents.where(col("split").equalTo("train")).collectAsList().forEach(r ->
        expected.computeIfAbsent(r.getString(r.fieldIndex("source")), s -> new WordCounter(PreTokenizer.standard()))
            .add(r.getString(r.fieldIndex("text"))));
    Map<String, Map<String, Long>> got = new TreeMap<>();
    new VocabJob(spark, VOCAB).wordCounts(documents).collectAsList().forEach(r ->
        got.computeIfAbsent(r.getString(0), s -> new HashMap<>()).put(r.getString(1), r.getLong(2)));
    assertEquals(expected.keySet(), got.keySet());
    expected.forEach((s, c) -> assertEquals(c.counts(), got.get(s), s));
  }

  @Test
  void trainsOnePerSourcePlusGlobalWithTheirSizesDeterministically() {
    assertEquals(List.of("en", "ru", "zh", "global"), List.copyOf(vocab.tokenizers().keySet()));
    assertEquals(600, vocab.tokenizers().get("en").model().vocabSize());
    assertEquals(500, vocab.tokenizers().get("ru").model().vocabSize());
    assertEquals(900, vocab.tokenizers().get("global").model().vocabSize());
    VocabJob.Result again = new VocabJob(spark, VOCAB).fit(documents);
    again.tokenizers().forEach((n, r) ->
        assertEquals(json.get(n), TokenizerJson.write(new BpeTokenizer(PreTokenizer.standard(), r.model())), n + " is byte-identical"));
  }

  @Test
  void temperatureZeroGivesEverySourceTheSameWeight() {
    Map<String, Map<String, Long>> tables = Map.of("big", Map.of("a", 90L, "b", 10L), "small", Map.of("c", 10L));
    Map<String, Long> bytes = Map.of("big", 100L, "small", 10L);
    Map<String, Long> uniform = VocabJob.globalCounts(tables, bytes, 0.0);
    assertEquals(Map.of("a", 90L, "b", 10L, "c", 100L), uniform, "small is scaled x10 to match big");
    assertEquals(Map.of("a", 90L, "b", 10L, "c", 10L), VocabJob.globalCounts(tables, bytes, 1.0));
  }

  /** With many small partitions every group spans several, and blocks are joined across them (RangePacker). */
  @Test
  void blocksHoldEachSourcesDocumentsEncodedWithItsTokenizerInDocIdOrder() {
    String partitions = spark.conf().get("spark.sql.shuffle.partitions");
    spark.conf().set("spark.sql.shuffle.partitions", "97");
    TokenizeJob.Result r;
    try {
      r = new TokenizeJob(spark, new TokenizeConfig(32, TokenizeConfig.Encoder.DEPT, true)).run(documents, json);
    } finally {
      spark.conf().set("spark.sql.shuffle.partitions", partitions);
    }
    try {
      List<Row> blocks = r.blocks().orderBy("tokenizer", "source", "split", "block_id").collectAsList();
      Map<String, List<Row>> byGroup = new TreeMap<>();
      blocks.forEach(b -> byGroup.computeIfAbsent(b.getString(0) + "/" + b.getString(1) + "/" + b.getString(2), k -> new java.util.ArrayList<>()).add(b));
      assertEquals(12, byGroup.size(), "3 sources x 2 tokenizers x 2 splits");
      for (Map.Entry<String, List<Row>> g : byGroup.entrySet()) {
        String[] key = g.getKey().split("/");
        BlockPacker packer = new BlockPacker(32);
        List<int[]> expected = new java.util.ArrayList<>();
        BpeTokenizer tok = TokenizerJson.read(json.get(key[0]));
        documents.where(col("source").equalTo(key[1]).and(col("split").equalTo(key[2]))).orderBy("doc_id").collectAsList()
            .forEach(d -> expected.addAll(packer.add(tok.encode(d.getString(d.fieldIndex("text"))))));
        expected.addAll(packer.finish());
        assertEquals(expected.size(), g.getValue().size(), g.getKey());
        for (int i = 0; i < expected.size(); i++) {
          Row b = g.getValue().get(i);
          assertEquals(i, b.getLong(3));
          assertArrayEquals(expected.get(i), b.getList(4).stream().mapToInt(x -> (Integer) x).toArray(), g.getKey() + " block " + i);
        }
      }
      Map<String, Long> used = TokenizeJob.globalRowsUsed(r.encoded());
      assertTrue(used.get("zh") < 900 && used.get("zh") > 100, "zh uses a part of the global vocabulary: " + used);
    } finally {
      r.release();
    }
  }

  @Test
  void hfEncoderGivesTheSameBlocks() {
    TokenizeJob stage = new TokenizeJob(spark, new TokenizeConfig(64, TokenizeConfig.Encoder.DEPT, false));
    TokenizeJob.Result ours = stage.run(documents, json);
    TokenizeJob.Result hf = new TokenizeJob(spark, new TokenizeConfig(64, TokenizeConfig.Encoder.HF, false)).run(documents, json);
    try {
      assertEquals(
          ours.blocks().orderBy("tokenizer", "source", "split", "block_id").collectAsList(),
          hf.blocks().orderBy("tokenizer", "source", "split", "block_id").collectAsList());
    } finally {
      ours.release();
      hf.release();
    }
  }
}
