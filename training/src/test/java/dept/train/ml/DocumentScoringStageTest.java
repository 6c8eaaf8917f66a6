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
import dept.train.local.Evaluator;
import dept.train.model.DecoderLm;
import dept.train.model.ModelConfig;
import dept.train.params.NamedTensors;
import dept.train.rounds.TrainedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scoring stage against the project's Evaluator on the same windows of each document. */
class DocumentScoringStageTest {

  private static final ModelConfig MODEL = new ModelConfig(32, 2, 4, 2);
  private static final int SEQ = 32;

  private final SparkSession spark = SparkTestSession.get();

  @TempDir Path dir;

  /**
   * A SPEC+GLOBALVOCAB model: the source's own table reads the global tokenizer, as model.json
   * says (no tokenizer of the source's name exists to be read by mistake).
   */
  @Test
  void aSourcesTableIsReadWithTheTokenizerTheModelNamesForIt() throws Exception {
    List<String> docs = SampleCorpus.documents("en").train().subList(0, 4);
    BpeModel bpe = SampleCorpus.bpe(SampleCorpus.documents("en").train(), 350);
    BpeTokenizer global = new BpeTokenizer(PreTokenizer.standard(), bpe);
    writeTokenizer("global", global);
    DecoderLm lm = new DecoderLm(MODEL, bpe.vocabSize(), SEQ);
    NamedTensors body = lm.initBody(5);
    NamedTensors en = lm.initEmbeddings(6);
    String modelDir = dir.resolve("model-gv").toString();
    new TrainedModel("SPEC+GLOBALVOCAB", MODEL, SEQ, 1, body, Map.of("en", en), Map.of("en", "global"), null, null)
        .save(modelDir, new Configuration());
    StructType schema = new StructType().add("source", DataTypes.StringType).add("text", DataTypes.StringType);
    Dataset<Row> data = spark.createDataFrame(docs.stream().map(d -> RowFactory.create("en", d)).toList(), schema);
    List<Row> scored = new DocumentScoringStage().setModelDir(modelDir).setTokenizersDir(dir.resolve("tokenizers").toString())
        .setSourceCol("source").transform(data).collectAsList();
    int[] tokenBytes = tokenBytes(bpe);
    for (Row r : scored) {
      int[] ids = global.encode(r.getString(1));
      Evaluator.Metrics expected = new Evaluator(lm, 16).evaluate(body, en, DocumentWindows.of(ids, SEQ), tokenBytes);
      assertEquals(ids.length, r.getLong(3), "the global tokenizer's tokens");
      assertEquals(expected.bitsPerByte(), r.getDouble(2), 1e-4 * expected.bitsPerByte(), "with en's own table");
    }
    assertEquals(docs.size(), scored.size());
  }

  @Test
  void eachDocumentsBitsPerByteIsTheEvaluatorsOnItsWindowsAndTheStageRoundTrips() throws Exception {
    List<String> docs = SampleCorpus.documents("en").train().subList(0, 12); // any documents: the weights are untrained
    BpeModel bpe = SampleCorpus.bpe(SampleCorpus.documents("en").train(), 400);
    BpeTokenizer tokenizer = new BpeTokenizer(PreTokenizer.standard(), bpe);
    writeTokenizer("en", tokenizer);
    DecoderLm lm = new DecoderLm(MODEL, bpe.vocabSize(), SEQ);
    NamedTensors body = lm.initBody(3);
    NamedTensors embeddings = lm.initEmbeddings(3);
    String modelDir = dir.resolve("model").toString();
    new TrainedModel("SPEC", MODEL, SEQ, 1, body, Map.of("en", embeddings), null, null).save(modelDir, new Configuration());

    StructType schema = new StructType().add("source", DataTypes.StringType).add("text", DataTypes.StringType);
    List<Row> rows = new ArrayList<>();
    docs.forEach(d -> rows.add(RowFactory.create("en", d)));
    rows.add(RowFactory.create("de", "ein Dokument ohne Tokenizer"));
    rows.add(RowFactory.create("en", ""));
    Dataset<Row> data = spark.createDataFrame(rows, schema).repartition(4);

    DocumentScoringStage stage = new DocumentScoringStage().setModelDir(modelDir)
        .setTokenizersDir(dir.resolve("tokenizers").toString()).setSourceCol("source");
    long openedBefore = OpenedModels.openings();
    List<Row> scored = stage.transform(data).collectAsList();
    assertEquals(rows.size(), scored.size());
    // Four partitions on two cores, scored concurrently through one opened unit (checked below against the Evaluator).
    assertEquals(1, OpenedModels.openings() - openedBefore, "the executor opens the model once for all its tasks");

    int[] tokenBytes = tokenBytes(bpe);
    Evaluator evaluator = new Evaluator(lm, 16);
    int checked = 0;
    for (Row r : scored) {
      if (!r.getString(0).equals("en") || r.getString(1).isEmpty()) {
        continue;
      }
      int[] ids = tokenizer.encode(r.getString(1));
      Evaluator.Metrics expected = evaluator.evaluate(body, embeddings, DocumentWindows.of(ids, SEQ), tokenBytes);
      assertEquals(ids.length, r.getLong(3), "every token scored once");
      assertEquals(expected.tokens(), r.getLong(3));
      assertEquals(expected.bitsPerByte(), r.getDouble(2), 1e-4 * expected.bitsPerByte(), r.getString(1));
      assertTrue(r.isNullAt(4));
      checked++;
    }
    assertEquals(docs.size(), checked);
    List<String> reasons = scored.stream().filter(r -> !r.isNullAt(4)).map(r -> r.getString(4)).sorted().toList();
    assertEquals(List.of("empty text", "no embeddings for source 'de' and no global tokenizer"), reasons);

    // A pipeline of the tokenizer estimator and the scoring stage: fit, saved, loaded, the same output.
    String path = dir.resolve("pipeline").toString();
    Dataset<Row> ordered = data.orderBy("text");
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {
        new dept.prep.ml.BpeTokenizerEstimator().setSourceCol("source").setVocabSize(300), stage}).fit(ordered);
    fitted.write().overwrite().save(path);
    List<Row> before = fitted.transform(ordered).select("text", "tokens", "bits_per_byte", "token_count", "score_reason").collectAsList();
    List<Row> after = PipelineModel.load(path).transform(ordered).select("text", "tokens", "bits_per_byte", "token_count", "score_reason")
        .collectAsList();
    assertEquals(before.toString(), after.toString());
    assertEquals(scored.stream().filter(r -> !r.isNullAt(2)).count(), after.stream().filter(r -> !r.isNullAt(2)).count());

    // The mean final hidden state over the positions that predict the document's tokens, from the same pass.
    List<Row> embedded = stage.copy(new org.apache.spark.ml.param.ParamMap()).setEmbeddingCol("embedding")
        .transform(data.where("source = 'en' AND text != ''").limit(3)).collectAsList();
    try (ai.djl.ndarray.NDManager root = ai.djl.ndarray.NDManager.newBaseManager();
        dept.train.model.ModelParams params = new dept.train.model.ModelParams(body.with(embeddings), root, root.getDevice(), false)) {
      for (Row r : embedded) {
        List<int[]> blocks = DocumentWindows.of(tokenizer.encode(r.getString(1)), SEQ);
        double[] sum = new double[MODEL.dModel()];
        long positions = 0;
        for (int[] block : blocks) {
          int[][] inputs = {java.util.Arrays.copyOf(block, SEQ)};
          float[] h = lm.hidden(dept.train.local.Batches.toArray(inputs, root), params, root, null).toFloatArray();
          for (int i = 0; i < SEQ; i++) {
            if (block[i + 1] != dept.prep.tokenizer.SpecialTokens.PAD_ID) {
              positions++;
              for (int c = 0; c < sum.length; c++) {
                sum[c] += h[i * sum.length + c];
              }
            }
          }
        }
        List<Float> got = r.getList(5);
        assertEquals(sum.length, got.size());
        for (int c = 0; c < sum.length; c++) {
          assertEquals(sum[c] / positions, got.get(c), 1e-4, "dimension " + c);
        }
      }
    }

    // Each transform above loaded the model anew (four loads): the executor keeps the units of the two latest.
    assertEquals(OpenedModels.MODELS_KEPT, OpenedModels.modelsOpen(), "older models' idle units are closed");

    IllegalArgumentException unset = assertThrows(IllegalArgumentException.class, () -> new DocumentScoringStage().transform(data));
    assertTrue(unset.getMessage().startsWith("modelDir: not set"), unset.getMessage());
  }

  /**
   * A +SCONE model scored through its lookup table: a table whose token rows are the model's token
   * embeddings shuffled (token t reads token 7t + 3's row) gives the Evaluator's figure for the model reading that table, not the plain
   * model's.
   */
  @Test
  void aSconeModelIsScoredThroughItsLookupTable() throws Exception {
    List<String> docs = SampleCorpus.documents("en").train().subList(0, 4);
    BpeModel bpe = SampleCorpus.bpe(SampleCorpus.documents("en").train(), 400);
    BpeTokenizer tokenizer = new BpeTokenizer(PreTokenizer.standard(), bpe);
    writeTokenizer("global", tokenizer);
    DecoderLm lm = new DecoderLm(MODEL, bpe.vocabSize(), SEQ);
    NamedTensors body = lm.initBody(5);
    NamedTensors embeddings = lm.initEmbeddings(5);
    String modelDir = dir.resolve("scone-model").toString();
    new TrainedModel("GLOB+SCONE", MODEL, SEQ, 1, body, Map.of("global", embeddings), dept.train.scone.SconeConfig.defaults(), null).save(modelDir, new Configuration());

    float[] wte = embeddings.get(DecoderLm.EMBED + "wte").data();
    int d = MODEL.dModel();
    StructType tableSchema = new StructType().add("ngram", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
        .add("n", DataTypes.IntegerType, false).add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), false);
    List<Row> tableRows = new ArrayList<>();
    dept.train.scone.FgramEmbeddingStore.Builder store = new dept.train.scone.FgramEmbeddingStore.Builder(d);
    for (int t = 0; t < bpe.vocabSize(); t++) {
      float[] row = new float[d];
      for (int j = 0; j < d; j++) {
        row[j] = wte[((t * 7 + 3) % bpe.vocabSize()) * d + j];
      }
      tableRows.add(RowFactory.create(new int[] {t}, 1, row));
      store.add(new int[] {t}, row);
    }
    String tables = dir.resolve("fgram_embeddings").toString();
    spark.createDataFrame(tableRows, tableSchema).coalesce(1).write().parquet(tables + "/table=global");

    StructType schema = new StructType().add("text", DataTypes.StringType);
    List<Row> rows = new ArrayList<>();
    docs.forEach(t -> rows.add(RowFactory.create(t)));
    Dataset<Row> data = spark.createDataFrame(rows, schema);
    DocumentScoringStage stage = new DocumentScoringStage().setModelDir(modelDir).setTokenizersDir(dir.resolve("tokenizers").toString());
    IllegalArgumentException noTables = assertThrows(IllegalArgumentException.class, () -> stage.transform(data));
    assertTrue(noTables.getMessage().startsWith("sconeTablesDir: GLOB+SCONE is a +SCONE model"), noTables.getMessage());
    // A table from another run (one token row short) is named, not read out of bounds.
    String shortTables = dir.resolve("short_fgram_embeddings").toString();
    spark.createDataFrame(tableRows.subList(0, tableRows.size() - 1), tableSchema).coalesce(1).write().parquet(shortTables + "/table=global");
    Exception wrongShape = assertThrows(Exception.class,
        () -> stage.copy(new org.apache.spark.ml.param.ParamMap()).setSconeTablesDir(shortTables).transform(data).collectAsList());
    assertTrue(String.valueOf(wrongShape.getMessage()).contains("run `dept scone-precompute` again"), wrongShape.getMessage());
    List<Row> scored = stage.setSconeTablesDir(tables).transform(data).collectAsList();

    int[] tokenBytes = tokenBytes(bpe);
    try (dept.train.scone.FgramEmbeddingStore table = store.build()) {
      Evaluator throughTable = new Evaluator(lm.withInput(new dept.train.scone.TableInput(table)), 16);
      Evaluator plain = new Evaluator(lm, 16);
      for (Row r : scored) {
        List<int[]> blocks = DocumentWindows.of(tokenizer.encode(r.getString(0)), SEQ);
        double expected = throughTable.evaluate(body, embeddings, blocks, tokenBytes).bitsPerByte();
        double withoutTable = plain.evaluate(body, embeddings, blocks, tokenBytes).bitsPerByte();
        // Untrained weights predict nearly uniformly whatever the input, so the table moves the score
        // little; the stage matches the table's figure ten times closer than that.
        assertEquals(expected, r.getDouble(1), 1e-6 * expected);
        assertTrue(Math.abs(withoutTable - expected) > 1e-5 * expected, "the table changes the score: " + withoutTable + " vs " + expected);
      }
    }
  }

  /** {@code tokenizer} as the pipeline's tokenizers directory holds it, under {@code name}. */
  private void writeTokenizer(String name, BpeTokenizer tokenizer) throws java.io.IOException {
    Path at = Files.createDirectories(dir.resolve("tokenizers").resolve(name));
    Files.writeString(at.resolve("tokenizer.json"), TokenizerJson.write(tokenizer));
  }

  /** UTF-8 bytes per token id (specials 0), as bits per byte counts them. */
  private static int[] tokenBytes(BpeModel bpe) {
    int[] bytes = new int[bpe.vocabSize()];
    for (int id = BpeModel.FIRST_BYTE_ID; id < bytes.length; id++) {
      bytes[id] = bpe.tokenBytes(id).length;
    }
    return bytes;
  }
}
