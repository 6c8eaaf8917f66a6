package dept.train.rounds;

import static dept.train.rounds.RoundFixture.blocks;
import static dept.train.rounds.RoundFixture.files;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.prep.pack.TokenArrays;
import dept.prep.pack.TokenizeJob;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A round's read: the blocks asked for, by id, and no more than their pages decoded when the
 * files are written as `dept tokenize` writes them; written with Parquet's default pages, the
 * same read decodes every row (the ablation).
 */
class BlockFilesTest {

  @TempDir
  static Path dir;

  @BeforeAll
  static void data() {
    RoundFixture.prepare();
  }

  private static Dataset<Row> enTrain() {
    return blocks.where("tokenizer = 'en' AND source = 'en' AND split = 'train'");
  }

  @Test
  void readsTheBlocksAskedForAndOnlyTheirPages() {
    long n = enTrain().count();
    long rows = blocks.where("tokenizer = 'en' AND source = 'en'").count();
    assertTrue(n > 20 * TokenizeJob.ROWS_PER_PAGE, "the sample holds " + n + " en train blocks: enough pages to skip");
    Set<Long> ids = new TreeSet<>(Set.of(0L, 5L, 17L, n / 2, n - 1));
    BlockFiles.Found found = files.read("en", "en", "train", ids);

    Map<Long, int[]> expected = new TreeMap<>();
    enTrain().where(org.apache.spark.sql.functions.col("block_id").isin(ids.toArray())).collectAsList()
        .forEach(r -> expected.put(r.getLong(r.fieldIndex("block_id")), TokenArrays.ints(r.getList(r.fieldIndex("tokens")))));
    assertEquals(expected.keySet(), found.blocks().keySet());
    expected.forEach((id, tokens) -> assertArrayEquals(tokens, found.blocks().get(id), "block " + id));
    // 0, 5 and 17 share a page: at most four pages decoded out of the file's rows / 32.
    assertTrue(found.rowsScanned() <= 4L * TokenizeJob.ROWS_PER_PAGE,
        "decoded " + found.rowsScanned() + " rows for " + ids.size() + " blocks (of " + rows + ")");
  }

  @Test
  void withDefaultPagesTheSameReadDecodesTheWholeFile() {
    String plain = dir.resolve("default-pages").toString();
    // One file, as the source's blocks were written before tokenize packed a group in several tasks.
    blocks.where("tokenizer = 'en' AND source = 'en'").coalesce(1).write().mode(SaveMode.Overwrite).partitionBy("tokenizer", "source").parquet(plain);
    long rows = blocks.where("tokenizer = 'en' AND source = 'en'").count();
    BlockFiles.Found found = new BlockFiles(plain, files.hadoop()).read("en", "en", "train", Set.of(0L, 17L));
    assertEquals(2, found.blocks().size());
    assertEquals(rows, found.rowsScanned(), "one page per column: every row decoded to find two");
  }

  @Test
  void aMissingBlockOrAnUnpartitionedDatasetIsNamed() {
    long n = enTrain().count();
    IllegalStateException missing = assertThrows(IllegalStateException.class, () -> files.read("en", "en", "train", Set.of(1L, n + 3)));
    assertTrue(missing.getMessage().contains("source 'en'") && missing.getMessage().contains(String.valueOf(n + 3)), missing.getMessage());
    String flat = dir.resolve("flat").toString();
    enTrain().limit(3).write().mode(SaveMode.Overwrite).parquet(flat);
    IllegalArgumentException unpartitioned = assertThrows(IllegalArgumentException.class,
        () -> new BlockFiles(flat, files.hadoop()).read("en", "en", "train", Set.of(0L)));
    assertTrue(unpartitioned.getMessage().contains("partitioned by tokenizer and source"), unpartitioned.getMessage());
  }
}
