package dept.prep.ml;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.prep.SparkTestSession;
import dept.prep.tokenizer.BpeTokenizer;
import dept.prep.tokenizer.TokenizerJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tokenizer as Spark ML stages and SQL functions, on the embedded sample corpus. */
class BpeTokenizerStagesTest {

  private final SparkSession spark = SparkTestSession.get();

  @TempDir Path dir;

  /** (lang, text) of the sample's English, Russian and code records. */
  private Dataset<Row> sample() {
    return spark.read().json(Path.of("sample/sample.jsonl").toAbsolutePath().toString())
        .where(col("lang").isin("en", "ru").or(col("domain").equalTo("code")))
        .selectExpr("coalesce(CASE WHEN domain = 'code' THEN 'code' END, lang) AS source", "text");
  }

  private static List<String> rows(Dataset<Row> ds, String... columns) {
    List<String> out = new ArrayList<>();
    ds.selectExpr(columns).collectAsList().forEach(r -> out.add(r.toString()));
    return out;
  }

  @Test
  void aPipelineOfTheTokenizerIsFitSavedLoadedAndGivesTheSameTokens() throws Exception {
    // Four partitions on two cores: the executor's threads encode at the same time.
    Dataset<Row> docs = sample().repartition(4).cache();
    BpeTokenizerEstimator estimator = new BpeTokenizerEstimator().setSourceCol("source").setVocabSize(400);
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {estimator});
    PipelineModel fitted = pipeline.fit(docs);
    BpeTokenizerModel model = (BpeTokenizerModel) fitted.stages()[0];
    assertEquals(java.util.Set.of("code", "en", "ru"), model.sources());

    Dataset<Row> encoded = fitted.transform(docs);
    List<Row> local = encoded.select("source", "text", "tokens", "tokenize_reason").collectAsList();
    for (Row r : local) {
      BpeTokenizer own = TokenizerJson.read(model.tokenizerJson(r.getString(0)));
      int[] expected = own.encode(r.getString(1));
      List<Integer> got = r.getList(2);
      assertEquals(expected.length, got.size(), r.getString(1));
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i], got.get(i));
      }
      assertNull(r.get(3));
    }
    // Each source's own tokenizer: the same text encodes differently under another source's.
    String text = local.get(0).getString(1);
    assertNotEquals(
        java.util.Arrays.toString(TokenizerJson.read(model.tokenizerJson("en")).encode(text)),
        java.util.Arrays.toString(TokenizerJson.read(model.tokenizerJson("ru")).encode(text)));

    String path = dir.resolve("pipeline").toString();
    fitted.write().overwrite().save(path);
    PipelineModel loaded = PipelineModel.load(path);
    assertEquals(rows(encoded, "source", "tokens"), rows(loaded.transform(docs), "source", "tokens"));
    // Each source's tokenizer.json, as `dept vocab` writes it: HF tokenizers reads it and gives the stage's ids.
    Path ruJson = dir.resolve("pipeline/stages/0_" + model.uid() + "/tokenizers/source=ru/tokenizer.json");
    try (var hf = ai.djl.huggingface.tokenizers.HuggingFaceTokenizer.builder().optTokenizerPath(ruJson)
        .optAddSpecialTokens(false).optTruncation(false).build()) {
      for (Row r : local) {
        if (r.getString(0).equals("ru")) {
          long[] ids = hf.encode(r.getString(1), false, false).getIds();
          assertEquals(r.getList(2), java.util.Arrays.stream(ids).mapToObj(i -> (int) i).toList());
        }
      }
    }
    Pipeline unfitted = Pipeline.load(savedPipeline(pipeline));
    assertEquals(400, (int) (Integer) ((BpeTokenizerEstimator) unfitted.getStages()[0]).getOrDefault(estimator.vocabSize()));

    Dataset<Row> decoded = model.decode(encoded, "tokens", "decoded");
    decoded.select("text", "decoded").collectAsList().forEach(r -> assertEquals(r.getString(0), r.getString(1)));
    docs.unpersist();
  }

  private String savedPipeline(Pipeline pipeline) throws java.io.IOException {
    String path = dir.resolve("unfitted").toString();
    pipeline.write().overwrite().save(path);
    return path;
  }

  /** A `dept vocab` run's tokenizers directory as a model: each row encoded by its source's tokenizer. */
  @Test
  void theTokenizersOfAVocabRunAreAModel() throws Exception {
    Dataset<Row> docs = sample();
    BpeTokenizerModel trained = new BpeTokenizerEstimator().setSourceCol("source").setVocabSize(300).fit(docs);
    Path run = dir.resolve("out/tokenizers");
    for (String source : trained.sources()) { // the layout VocabStage writes
      Files.createDirectories(run.resolve(source));
      Files.writeString(run.resolve(source + "/tokenizer.json"), trained.tokenizerJson(source));
    }
    BpeTokenizerModel fromRun = BpeTokenizerModel.fromVocabRun(spark, run.toString()).setSourceCol("source");
    assertEquals(trained.sources(), fromRun.sources());
    assertEquals(rows(trained.transform(docs), "tokens"), rows(fromRun.transform(docs), "tokens"));
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> BpeTokenizerModel.fromVocabRun(spark, Files.createDirectories(dir.resolve("empty")).toString()));
    assertTrue(none.getMessage().contains("run `dept vocab` first"), none.getMessage());
  }

  @Test
  void wrongColumnsFailBeforeDataAndBadRowsGetAReasonNotAFailedTask() {
    Dataset<Row> docs = sample();
    BpeTokenizerEstimator estimator = new BpeTokenizerEstimator().setSourceCol("source").setVocabSize(300);
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> estimator.copy(new org.apache.spark.ml.param.ParamMap()).setInputCol("body").fit(docs));
    assertTrue(missing.getMessage().contains("inputCol: no column 'body'"), missing.getMessage());
    Dataset<Row> numbers = docs.selectExpr("source", "length(text) AS text");
    IllegalArgumentException type = assertThrows(IllegalArgumentException.class, () -> estimator.fit(numbers));
    assertTrue(type.getMessage().contains("column 'text' is int, not string"), type.getMessage());

    BpeTokenizerModel model = estimator.fit(docs);
    Dataset<Row> odd = spark.sql(
        "SELECT * FROM VALUES ('en', 'hello'), ('en', ''), ('en', CAST(NULL AS STRING)), ('fr', 'bonjour'), (CAST(NULL AS STRING), 'x')"
            + " AS t(source, text)");
    List<Row> out = model.transform(odd).select("tokens", "tokenize_reason").collectAsList();
    assertTrue(out.get(0).getList(0).size() > 0 && out.get(0).isNullAt(1));
    assertEquals(List.of("empty text", "null text", "unknown source 'fr'", "null source"),
        out.subList(1, 5).stream().map(r -> r.isNullAt(0) ? r.getString(1) : "tokens!").toList());
    IllegalArgumentException taken = assertThrows(IllegalArgumentException.class,
        () -> model.copy(new org.apache.spark.ml.param.ParamMap()).setOutputCol("text").transform(odd));
    assertTrue(taken.getMessage().contains("output column 'text' already exists"), taken.getMessage());
  }

  @Test
  void sqlFunctionsTokenizeAndDetokenizeWithEachSourcesTokenizer() {
    Dataset<Row> docs = sample();
    BpeTokenizerModel model = new BpeTokenizerEstimator().setSourceCol("source").setVocabSize(300).fit(docs);
    TokenizerFunctions.register(spark, model);
    docs.createOrReplaceTempView("docs");
    List<Row> rows = spark.sql(
        "SELECT text, dept_tokenize(text, source) AS ids, dept_detokenize(dept_tokenize(text, source), source) AS back,"
            + " dept_tokenize(text, 'nope') AS unknown FROM docs").collectAsList();
    List<Row> staged = model.transform(docs).select("tokens").collectAsList();
    for (int i = 0; i < rows.size(); i++) {
      assertEquals(staged.get(i).getList(0), rows.get(i).getList(1), "SQL and the stage give the same ids");
      assertEquals(rows.get(i).getString(0), rows.get(i).getString(2));
      assertTrue(rows.get(i).isNullAt(3));
    }
  }
}
