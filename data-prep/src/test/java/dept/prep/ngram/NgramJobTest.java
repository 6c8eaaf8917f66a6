package dept.prep.ngram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.prep.SparkTestSession;
import dept.prep.tokenizer.SpecialTokens;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class NgramJobTest {

  private static final SparkSession spark = SparkTestSession.get();
  private static final StructType BLOCKS = new StructType().add("tokenizer", "string").add("source", "string")
      .add("split", "string").add("block_id", DataTypes.LongType).add("tokens", DataTypes.createArrayType(DataTypes.IntegerType));

  private record Block(String tokenizer, String source, String split, int[] tokens) {}

  private static Dataset<Row> blocks(List<Block> blocks) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < blocks.size(); i++) {
      Block b = blocks.get(i);
      rows.add(RowFactory.create(b.tokenizer(), b.source(), b.split(), (long) i, java.util.Arrays.stream(b.tokens()).boxed().toArray(Integer[]::new)));
    }
    return spark.createDataFrame(rows, BLOCKS).repartition(3);
  }

  /** Counts by brute force: every window of 2..maxN tokens inside a block with no eos or pad. */
  private static Map<String, Long> reference(List<Block> blocks, int maxN, long minCount) {
    Map<String, Long> counts = new HashMap<>();
    for (Block b : blocks) {
      if (!b.split().equals("train")) {
        continue;
      }
      String set = b.tokenizer().equals("global") ? "global" : b.source();
      for (int i = 0; i < b.tokens().length; i++) {
        for (int n = 2; n <= maxN && i + n <= b.tokens().length; n++) {
          int[] w = java.util.Arrays.copyOfRange(b.tokens(), i, i + n);
          if (java.util.Arrays.stream(w).noneMatch(t -> t == SpecialTokens.EOS_ID || t == SpecialTokens.PAD_ID)) {
            counts.merge(set + java.util.Arrays.toString(w), 1L, Long::sum);
          }
        }
      }
    }
    counts.values().removeIf(c -> c < minCount);
    return counts;
  }

  private static Map<String, Long> asMap(Dataset<Row> ngrams) {
    Map<String, Long> out = new HashMap<>();
    for (Row r : ngrams.collectAsList()) {
      int[] ids = dept.prep.pack.TokenArrays.ints(r.getList(2));
      assertEquals(ids.length, r.getInt(1));
      out.put(r.getString(0) + java.util.Arrays.toString(ids), r.getLong(3));
    }
    return out;
  }

  private static List<Block> randomBlocks(long seed, int vocab) {
    Random rnd = new Random(seed);
    List<Block> out = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      int[] t = rnd.ints(33, 3, vocab).toArray();
      for (int j = 0; j < t.length; j++) {
        if (rnd.nextInt(10) == 0) {
          t[j] = SpecialTokens.EOS_ID;
        }
      }
      if (i % 7 == 0) {
        java.util.Arrays.fill(t, 25, 33, SpecialTokens.PAD_ID);
      }
      String tokenizer = i % 3 == 0 ? "global" : "s" + (i % 2);
      out.add(new Block(tokenizer, "s" + (i % 2), i % 5 == 0 ? "val" : "train", t));
    }
    return out;
  }

  @Test
  void packedCountsEqualABruteForceReferenceAndRespectBoundaries() {
    List<Block> b = randomBlocks(1, 12);
    NgramJob stage = new NgramJob(spark, new NgramConfig(4, 1L, 1000, List.of(10)));
    Map<String, Long> got = asMap(stage.count(blocks(b), 12));
    assertEquals(reference(b, 4, 1), got);
    assertTrue(got.keySet().stream().noneMatch(k -> k.contains("[1,") || k.contains(" 1,") || k.contains(" 1]") || k.contains(" 2]")));
  }

  @Test
  void arrayKeysGiveTheSameCountsWhenIdsDoNotPackIntoALong() {
    List<Block> b = randomBlocks(2, 40);
    assertFalse(NgramKeys.packable(1 << 20, 4));
    NgramJob stage = new NgramJob(spark, new NgramConfig(4, 2L, 1000, List.of(10)));
    assertEquals(reference(b, 4, 2), asMap(stage.count(blocks(b), 1 << 20)));
    assertEquals(reference(b, 4, 2), asMap(stage.count(blocks(b), 40)));
  }

  @Test
  void selectionIsDeterministicWithTiesBrokenByLengthThenIds() {
    List<Block> b = List.of(
        new Block("a", "a", "train", new int[] {5, 6, 5, 6, 1, 9, 8, 9, 8}),
        new Block("a", "a", "train", new int[] {7, 7, 7, 1, 3, 4}));
    NgramJob stage = new NgramJob(spark, new NgramConfig(3, 1L, 4, List.of(2)));
    Dataset<Row> ngrams = stage.count(blocks(b), 12);
    List<String> first = new ArrayList<>();
    stage.select(ngrams).orderBy("fgram_id").collectAsList().forEach(r -> first.add(r.getInt(1) + ":" + r.getList(3) + "x" + r.getLong(4)));
    // counts: (5,6) 2, (7,7) 2, (9,8) 2, then 1s: shorter first, then by ids.
    assertEquals(List.of("0:[5, 6]x2", "1:[7, 7]x2", "2:[9, 8]x2", "3:[3, 4]x1"), first);
    List<String> again = new ArrayList<>();
    stage.select(stage.count(blocks(b), 12)).orderBy("fgram_id").collectAsList().forEach(r -> again.add(r.getInt(1) + ":" + r.getList(3) + "x" + r.getLong(4)));
    assertEquals(first, again);
  }

  @Test
  void coverageCountsValidationPositionsWhoseLongestFgramIsInTheTopK() {
    List<Block> b = List.of(
        new Block("a", "a", "train", new int[] {5, 6, 7, 5, 6, 7, 1, 5, 6}),
        new Block("a", "a", "val", new int[] {5, 6, 7, 9, 9, 2, 2}));
    NgramJob stage = new NgramJob(spark, new NgramConfig(3, 2L, 10, List.of(1, 10)));
    Dataset<Row> fgrams = stage.select(stage.count(blocks(b), 12));
    Map<String, List<int[]>> sets = NgramJob.collect(fgrams);
    // f-grams with count >= 2: (5,6) x3, (6,7) x2, (5,6,7) x2 -> ids 0, 1, 2.
    assertEquals(3, sets.get("a").size());
    Map<Integer, Row> byK = new TreeMap<>();
    stage.coverage(blocks(b), sets).collectAsList().forEach(r -> byK.put(r.getInt(1), r));
    assertEquals(5L, byK.get(1).getLong(3), "pads are not positions");
    assertEquals(1L, byK.get(1).getLong(4), "top-1 = (5,6): covers position 1 only");
    assertEquals(2L, byK.get(10).getLong(4), "all three: positions 1 (5,6) and 2 (5,6,7)");
    assertEquals(0.4, byK.get(10).getDouble(5), 1e-12);
  }

  @Test
  void partialCountsFlushedInBatchesAddUpToTheUnboundedCounts() {
    Random rnd = new Random(3);
    List<Row> blocks = new ArrayList<>();
    for (int b = 0; b < 40; b++) {
      Integer[] tokens = rnd.ints(33, 3, 12).boxed().toArray(Integer[]::new);
      blocks.add(RowFactory.create(b % 2 == 0 ? "global" : "en", "en",
          scala.jdk.javaapi.CollectionConverters.asScala(java.util.Arrays.asList(tokens)).toSeq()));
    }
    Map<String, Long> whole = sums(NgramJob.countArrays(blocks.iterator(), 4, Integer.MAX_VALUE));
    List<Row> partial = new ArrayList<>();
    NgramJob.countArrays(blocks.iterator(), 4, 50).forEachRemaining(partial::add);
    assertTrue(partial.size() > whole.size(), "a bound of 50 keys flushes partial counts: " + partial.size() + " rows");
    assertEquals(whole, sums(partial.iterator()));
    NgramKeys keys = new NgramKeys(12);
    Map<String, Long> packed = new TreeMap<>();
    NgramJob.countPacked(blocks.iterator(), 4, keys, 7).forEachRemaining(r -> packed.merge(r.getString(0) + ":"
        + java.util.Arrays.toString(keys.unpack(r.getLong(1), (64 - Long.numberOfLeadingZeros(r.getLong(1)) + keys.bits() - 1) / keys.bits())),
        r.getLong(2), Long::sum));
    assertEquals(whole, packed);
  }

  private static Map<String, Long> sums(java.util.Iterator<Row> rows) {
    Map<String, Long> out = new TreeMap<>();
    rows.forEachRemaining(r -> out.merge(r.getString(0) + ":" + java.util.Arrays.toString((Integer[]) r.get(2)), r.getLong(3), Long::sum));
    return out;
  }
}
