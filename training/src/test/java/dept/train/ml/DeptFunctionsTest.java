package dept.train.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.prep.SparkTestSession;
import dept.prep.tokenizer.BpeModel;
import dept.prep.tokenizer.BpeTokenizer;
import dept.prep.tokenizer.PreTokenizer;
import dept.prep.tokenizer.TokenizerJson;
import dept.train.SampleCorpus;
import dept.train.model.DecoderLm;
import dept.train.model.ModelConfig;
import dept.train.rounds.TrainedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQL functions over a run's directory give what the stages give, opening the model once per executor. */
class DeptFunctionsTest {

  private static final ModelConfig MODEL = new ModelConfig(32, 2, 4, 2);
  private static final int SEQ = 32;

  private final SparkSession spark = SparkTestSession.get();

  @TempDir Path dir;

  @Test
  void sqlFunctionsScoreEmbedAndTokenizeAsTheStagesDo() throws Exception {
    // A run's layout: tokenizers/<name>/tokenizer.json and train/spec/model (SPEC: each source its own embeddings).
    Path run = dir.resolve("out");
    Map<String, BpeTokenizer> tokenizers = Map.of(
        "en", new BpeTokenizer(PreTokenizer.standard(), SampleCorpus.bpe(SampleCorpus.documents("en").train(), 400)),
        "ru", new BpeTokenizer(PreTokenizer.standard(), SampleCorpus.bpe(SampleCorpus.documents("ru").train(), 380)));
    Map<String, dept.train.params.NamedTensors> embeddings = new java.util.TreeMap<>();
    DecoderLm shape = null;
    for (var t : tokenizers.entrySet()) {
      Path file = Files.createDirectories(run.resolve("tokenizers").resolve(t.getKey())).resolve("tokenizer.json");
      Files.writeString(file, TokenizerJson.write(t.getValue()));
      shape = new DecoderLm(MODEL, t.getValue().model().vocabSize(), SEQ);
      embeddings.put(t.getKey(), shape.initEmbeddings(t.getKey().length()));
    }
    new TrainedModel("SPEC", MODEL, SEQ, 1, shape.initBody(7), embeddings, null, null)
        .save(run.resolve("train/spec/model").toString(), new Configuration());

    StructType schema = new StructType().add("source", DataTypes.StringType).add("text", DataTypes.StringType);
    List<Row> rows = new ArrayList<>();
    SampleCorpus.documents("en").train().subList(0, 6).forEach(d -> rows.add(RowFactory.create("en", d)));
    SampleCorpus.documents("ru").train().subList(0, 6).forEach(d -> rows.add(RowFactory.create("ru", d)));
    rows.add(RowFactory.create("de", "kein Tokenizer"));
    rows.add(RowFactory.create("en", ""));
    rows.add(RowFactory.create("en", null));
    Dataset<Row> docs = spark.createDataFrame(rows, schema).repartition(3);
    docs.createOrReplaceTempView("docs");

    long openedBefore = OpenedModels.openings();
    DeptFunctions.register(spark, run.toString(), "SPEC");
    List<Row> sql = spark.sql("""
        SELECT source, text, dept_bits_per_byte(text, source) AS bpb, dept_score(text, source) AS score,
               dept_embed(text, source) AS embedding, size(dept_tokenize(text, source)) AS tokens
        FROM docs ORDER BY source, text""").collectAsList();
    // Two tokenizers' units for fifteen rows in three tasks: each opened once in this (one-executor) JVM.
    assertEquals(2, OpenedModels.openings() - openedBefore, "the functions share the executor's opened model");

    List<Row> staged = new DocumentScoringStage().setModelDir(run.resolve("train/spec/model").toString())
        .setTokenizersDir(run.resolve("tokenizers").toString()).setSourceCol("source").setEmbeddingCol("embedding")
        .transform(docs).orderBy("source", "text").collectAsList();
    assertEquals(staged.size(), sql.size());
    int scored = 0;
    for (int i = 0; i < sql.size(); i++) {
      Row f = sql.get(i);
      Row s = staged.get(i);
      Row score = f.getStruct(3);
      assertEquals(s.isNullAt(4) ? null : s.getString(4), score.isNullAt(2) ? null : score.getString(2), "reason of " + f);
      if (s.isNullAt(2)) {
        assertTrue(f.isNullAt(2) && f.isNullAt(4) && score.isNullAt(0), "no score where the stage gives a reason: " + f);
        continue;
      }
      assertEquals(s.getDouble(2), f.getDouble(2), 1e-9, "bits per byte of " + f.getString(1));
      assertEquals(s.getDouble(2), score.getDouble(0), 1e-9);
      assertEquals(s.getLong(3), score.getLong(1));
      assertEquals(s.getLong(3), f.getInt(5), "every token scored once");
      List<Float> a = f.getList(4);
      List<Float> b = s.getList(5);
      assertEquals(MODEL.dModel(), a.size());
      for (int c = 0; c < a.size(); c++) {
        assertEquals(b.get(c), a.get(c), 1e-5);
      }
      scored++;
    }
    assertEquals(12, scored);
    List<String> reasons = sql.stream().filter(r -> !r.getStruct(3).isNullAt(2)).map(r -> r.getStruct(3).getString(2)).sorted().toList();
    assertEquals(List.of("empty text", "no embeddings for source 'de' and no global tokenizer", "null text"), reasons);

    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> DeptFunctions.register(spark, run.toString(), "GLOB"));
    assertTrue(missing.getMessage().startsWith("GLOB: no trained model at "), missing.getMessage());
  }
}
