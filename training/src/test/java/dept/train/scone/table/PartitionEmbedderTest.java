package dept.train.scone.table;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.train.model.DecoderLm;
import dept.train.model.ModelConfig;
import dept.train.params.NamedTensors;
import dept.train.scone.FgramModel;
import dept.train.scone.FgramPrecompute;
import dept.train.scone.SconeConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/**
 * A precompute task streams: it gives exactly the embeddings of the in-memory loop for every key
 * while reading at most one batch of keys ahead of its output, whatever the partition's size.
 */
class PartitionEmbedderTest {

  private static final ModelConfig MAIN = new ModelConfig(32, 1, 4, 4);
  private static final int VOCAB = 64;
  private static final int BATCH = 16;

  @Test
  void streamsOneBatchAtATimeAndMatchesTheInMemoryLoop() {
    SconeConfig scone = new SconeConfig(SconeConfig.Mode.ADD, 0, 4, 1, null, null, null, BATCH, null, null);
    Map<String, NamedTensors> inputs = new TreeMap<>();
    Map<String, byte[]> params = new HashMap<>();
    for (String table : List.of("a", "b")) {
      long seed = table.hashCode();
      NamedTensors in = new DecoderLm(MAIN, VOCAB, 16).initEmbeddings(seed).with(new FgramModel(scone, MAIN).init(seed));
      inputs.put(table, in);
      params.put(table, in.toBytes());
    }
    Map<String, List<int[]>> keys = keys(new Random(3));
    List<Row> sorted = new ArrayList<>(); // as the job sorts a task's keys: table, length, ids
    keys.forEach((table, ks) -> ks.stream().sorted(Comparator.<int[]>comparingInt(k -> k.length).thenComparing(Arrays::compare))
        .forEach(k -> sorted.add(RowFactory.create(table, seq(k), k.length))));

    CountingIterator input = new CountingIterator(sorted.iterator());
    Iterator<Row> out = PartitionEmbedder.embed(input, new FgramPrecompute(scone, MAIN), params);
    Map<String, float[]> streamed = new HashMap<>();
    int produced = 0;
    int maxAhead = 0;
    while (out.hasNext()) {
      Row r = out.next();
      produced++;
      maxAhead = Math.max(maxAhead, input.taken - produced);
      int[] key = Arrays.stream((Integer[]) r.get(1)).mapToInt(Integer::intValue).toArray();
      assertEquals(key.length, r.getInt(2), "n is the key's length");
      streamed.put(r.getString(0) + Arrays.toString(key), (float[]) r.get(3));
    }
    assertEquals(sorted.size(), produced, "one row per key");
    assertTrue(maxAhead <= BATCH, "the task read " + maxAhead + " keys ahead of its output: more than one batch of " + BATCH);

    for (String table : keys.keySet()) {
      new FgramPrecompute(scone, MAIN).run(inputs.get(table), keys.get(table).iterator(), (key, expected) ->
          assertArrayEquals(expected, streamed.get(table + Arrays.toString(key)), table + " " + Arrays.toString(key)));
    }
  }

  @Test
  void aTableWithoutParametersIsNamed() {
    SconeConfig scone = new SconeConfig(SconeConfig.Mode.REPLACE, 0, 4, 1, null, null, null, BATCH, null, null);
    Iterator<Row> out = PartitionEmbedder.embed(List.of(RowFactory.create("zz", seq(new int[] {1, 2}), 2)).iterator(),
        new FgramPrecompute(scone, MAIN), Map.of());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, out::hasNext);
    assertTrue(e.getMessage().contains("zz"), e.getMessage());
  }

  /** Every token and 100 distinct random 2..4-grams per table: several batches of each length. */
  private static Map<String, List<int[]>> keys(Random rnd) {
    Map<String, List<int[]>> keys = new TreeMap<>();
    for (String table : List.of("a", "b")) {
      List<int[]> ks = new ArrayList<>();
      for (int t = 0; t < VOCAB; t++) {
        ks.add(new int[] {t});
      }
      Set<List<Integer>> seen = new HashSet<>();
      while (ks.size() < VOCAB + 100) {
        int[] k = rnd.ints(2 + rnd.nextInt(3), 3, VOCAB).toArray();
        if (seen.add(Arrays.stream(k).boxed().toList())) {
          ks.add(k);
        }
      }
      keys.put(table, ks);
    }
    return keys;
  }

  /** A key as Spark hands an {@code array<int>} value to a task. */
  private static scala.collection.immutable.Seq<Integer> seq(int[] key) {
    return scala.jdk.javaapi.CollectionConverters.asScala(Arrays.stream(key).boxed().toList()).toList();
  }

  /** Counts the keys a task has taken from its input. */
  private static final class CountingIterator implements Iterator<Row> {
    private final Iterator<Row> rows;
    private int taken;

    CountingIterator(Iterator<Row> rows) {
      this.rows = rows;
    }

    @Override
    public boolean hasNext() {
      return rows.hasNext();
    }

    @Override
    public Row next() {
      taken++;
      return rows.next();
    }
  }
}
