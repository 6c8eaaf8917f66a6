package dept.train.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.prep.SparkTestSession;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

/**
 * The SCONE stage on a lookup table written in the precompute job's layout with known rows: each
 * position gets the row of the longest f-gram ending there, else its token's.
 */
class SconeEmbeddingStageTest {

  private static final int DIM = 3;

  private final SparkSession spark = SparkTestSession.get();

  @TempDir Path dir;

  /** A distinct embedding per key: (first token, length, 7). */
  private static float[] embedding(int[] key) {
    return new float[] {key[0], key.length, 7};
  }

  /** {@code tables/table=<name>/} with tokens 0..9 and the f-grams [1 2] and [1 2 3], as scone-precompute writes them. */
  private String tables(String... names) {
    StructType schema = new StructType().add("ngram", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
        .add("n", DataTypes.IntegerType, false).add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), false);
    List<int[]> keys = new ArrayList<>();
    for (int t = 0; t < 10; t++) {
      keys.add(new int[] {t});
    }
    keys.add(new int[] {1, 2});
    keys.add(new int[] {1, 2, 3});
    String root = dir.resolve("fgram_embeddings").toString();
    for (String name : names) {
      List<Row> rows = new ArrayList<>();
      for (int[] k : keys) {
        rows.add(RowFactory.create(k, k.length, embedding(k)));
      }
      spark.createDataFrame(rows, schema).coalesce(1).write().parquet(root + "/table=" + name);
    }
    return root;
  }

  private Dataset<Row> rows(Object[]... rows) {
    StructType schema = new StructType().add("source", DataTypes.StringType)
        .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType, false));
    List<Row> out = new ArrayList<>();
    for (Object[] r : rows) {
      out.add(RowFactory.create(r));
    }
    return spark.createDataFrame(out, schema);
  }

  @Test
  void eachPositionGetsItsLongestFgramsRowElseItsTokensAndBadRowsAReason() {
    SconeEmbeddingStage stage = new SconeEmbeddingStage().setTablesDir(tables("en")).setSourceCol("source");
    List<Row> out = stage.transform(rows(
        new Object[] {"en", new int[] {1, 2, 3, 4}},
        new Object[] {"en", new int[] {4, 1, 2}},
        new Object[] {"fr", new int[] {1}},
        new Object[] {"en", new int[] {1, 99}},
        new Object[] {"en", null})).select("input_embeddings", "embed_reason").collectAsList();
    int[][][] expected = {{{1}, {1, 2}, {1, 2, 3}, {4}}, {{4}, {1}, {1, 2}}};
    for (int r = 0; r < expected.length; r++) {
      List<scala.collection.Seq<Float>> got = out.get(r).getList(0); // inner arrays stay Scala sequences
      assertEquals(expected[r].length, got.size());
      for (int i = 0; i < got.size(); i++) {
        float[] row = new float[DIM];
        for (int j = 0; j < DIM; j++) {
          row[j] = got.get(i).apply(j);
        }
        assertArrayEquals(embedding(expected[r][i]), row, "row " + r + " position " + i);
      }
      assertTrue(out.get(r).isNullAt(1));
    }
    assertTrue(out.get(2).getString(1).startsWith("no SCONE table for 'fr'"), out.get(2).getString(1));
    assertTrue(out.get(3).getString(1).contains("token id 99 at position 1"), out.get(3).getString(1));
    assertEquals("null tokens", out.get(4).getString(1));
  }

  @Test
  void theStageIsSavedAndLoadedInAPipelineAndChecksItsColumnsFirst() throws Exception {
    String tables = tables("global");
    Dataset<Row> data = rows(new Object[] {"x", new int[] {1, 2, 3}});
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {new SconeEmbeddingStage().setTablesDir(tables)});
    PipelineModel fitted = pipeline.fit(data);
    String path = dir.resolve("pipeline").toString();
    fitted.write().overwrite().save(path);
    PipelineModel loaded = PipelineModel.load(path);
    assertEquals(fitted.transform(data).select("input_embeddings").collectAsList().toString(),
        loaded.transform(data).select("input_embeddings").collectAsList().toString());
    assertEquals(3, loaded.transform(data).first().getList(2).size(), "the global table, one row per position");

    IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
        () -> new SconeEmbeddingStage().setTablesDir(tables).setTokensCol("source").transform(data));
    assertTrue(type.getMessage().contains("tokensCol: column 'source' is string, not array<int>"), type.getMessage());
    IllegalArgumentException unset = assertThrows(IllegalArgumentException.class, () -> new SconeEmbeddingStage().transform(data));
    assertTrue(unset.getMessage().startsWith("tablesDir: not set"), unset.getMessage());
  }
}
