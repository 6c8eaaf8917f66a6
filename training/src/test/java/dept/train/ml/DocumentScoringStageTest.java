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

  @Test
  void eachDocumentsBitsPerByteIsTheEvaluatorsOnItsWindowsAndTheStageRoundTrips() throws Exception {
    List<String> docs = SampleCorpus.documents("en").train().subList(0, 12); // any documents: the weights are untrained
    BpeModel bpe = SampleCorpus.bpe(SampleCorpus.documents("en").train(), 400);
    BpeTokenizer tokenizer = new BpeTokenizer(PreTokenizer.standard(), bpe);
    Path tokenizers = Files.createDirectories(dir.resolve("tokenizers/en"));
    Files.writeString(tokenizers.resolve("tokenizer.json"), TokenizerJson.write(tokenizer));
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
    Dataset<Row> data = spark.createDataFrame(rows, schema).repartition(2);

    DocumentScoringStage stage = new DocumentScoringStage().setModelDir(modelDir)
        .setTokenizersDir(dir.resolve("tokenizers").toString()).setSourceCol("source");
    List<Row> scored = stage.transform(data).collectAsList();
    assertEquals(rows.size(), scored.size());

    int[] tokenBytes = new int[bpe.vocabSize()];
    for (int id = BpeModel.FIRST_BYTE_ID; id < tokenBytes.length; id++) {
      tokenBytes[id] = bpe.tokenBytes(id).length;
    }
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

    String path = dir.resolve("pipeline").toString();
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {stage}).fit(data);
    fitted.write().overwrite().save(path);
    assertEquals(stage.transform(data).select("bits_per_byte").collectAsList().toString(),
        PipelineModel.load(path).transform(data).select("bits_per_byte").collectAsList().toString());

    IllegalArgumentException unset = assertThrows(IllegalArgumentException.class, () -> new DocumentScoringStage().transform(data));
    assertTrue(unset.getMessage().startsWith("modelDir: not set"), unset.getMessage());
  }
}
