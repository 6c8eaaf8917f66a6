package dept.prep.pack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/**
 * A group's documents cut into runs at random (as range partitioning cuts them, down to runs of
 * one empty document), each run packed on its own and the shared blocks joined: exactly the blocks
 * of one sequential {@link BlockPacker} over the whole group.
 */
class RangePackerTest {

  private static final int SEQ_LEN = 16;

  @Test
  void runsPackedApartAndJoinedEqualOneSequentialPass() {
    Random random = new Random(3);
    int spanningThree = 0;
    for (int trial = 0; trial < 300; trial++) {
      List<int[]> docs = new ArrayList<>();
      for (int d = 0, n = 1 + random.nextInt(40); d < n; d++) {
        int[] doc = new int[random.nextInt(4) == 0 ? random.nextInt(3) : random.nextInt(60)];
        for (int i = 0; i < doc.length; i++) {
          doc[i] = 10 + random.nextInt(1000);
        }
        docs.add(doc);
      }
      List<List<int[]>> runs = new ArrayList<>();
      for (int d = 0; d < docs.size(); ) {
        int take = 1 + random.nextInt(Math.min(6, docs.size() - d));
        runs.add(docs.subList(d, d + take));
        d += take;
      }
      BlockPacker sequential = new BlockPacker(SEQ_LEN);
      List<int[]> expected = new ArrayList<>();
      docs.forEach(doc -> expected.addAll(sequential.add(doc)));
      expected.addAll(sequential.finish());

      List<int[]> got = packInRuns(runs);
      assertEquals(expected.size(), got.size(), "trial " + trial);
      for (int b = 0; b < expected.size(); b++) {
        assertArrayEquals(expected.get(b), got.get(b), "trial " + trial + ", block " + b);
      }
      spanningThree += fragmentsPerBlock(runs).values().stream().anyMatch(n -> n >= 3) ? 1 : 0;
    }
    assertTrue(spanningThree > 10, "blocks shared by three or more runs occur: " + spanningThree);
  }

  @Test
  void aShortBlockThatIsNotTheGroupsLastIsAnError() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () ->
        RangePacker.assemble("g", 0, List.of(0), List.of(new int[] {1, 2}), SEQ_LEN, Map.of("g", 100L)));
    assertTrue(e.getMessage().contains("not the group's last"), e.getMessage());
    IllegalStateException gap = assertThrows(IllegalStateException.class, () ->
        RangePacker.assemble("g", 5, List.of(0, 3), List.of(new int[] {1, 2}, new int[] {4}), SEQ_LEN, Map.of("g", 100L)));
    assertTrue(gap.getMessage().contains("starts at 3, expected 2"), gap.getMessage());
  }

  /** What the tokenize job does, without Spark: lengths, offsets, both passes, then the joins. */
  private static List<int[]> packInRuns(List<List<int[]>> runs) {
    List<String[]> lengths = new ArrayList<>();
    for (int p = 0; p < runs.size(); p++) {
      long n = runs.get(p).stream().mapToLong(d -> d.length + 1).sum();
      lengths.add(new String[] {String.valueOf(p), RangePacker.group("t", "s", "train"), String.valueOf(n)});
    }
    RangePacker.Offsets offsets = TokenizeJob.offsets(lengths);
    Map<Long, int[]> blocks = new TreeMap<>();
    Map<Long, List<Integer>> starts = new TreeMap<>();
    Map<Long, List<int[]>> parts = new TreeMap<>();
    for (int p = 0; p < runs.size(); p++) {
      for (boolean whole : new boolean[] {true, false}) {
        RangePacker packer = new RangePacker(SEQ_LEN, offsets, p, whole);
        List<Row> out = new ArrayList<>();
        runs.get(p).forEach(doc -> out.addAll(packer.accept(row(doc))));
        out.addAll(packer.finish());
        for (Row r : out) {
          int[] tokens = java.util.Arrays.stream((Integer[]) r.get(4)).mapToInt(Integer::intValue).toArray();
          if (whole) {
            assertEquals(RangePacker.WHOLE, r.getInt(5));
            blocks.put(r.getLong(3), tokens);
          } else {
            starts.computeIfAbsent(r.getLong(3), k -> new ArrayList<>()).add(r.getInt(5));
            parts.computeIfAbsent(r.getLong(3), k -> new ArrayList<>()).add(tokens);
          }
        }
      }
    }
    starts.forEach((id, s) -> blocks.put(id, RangePacker.assemble(RangePacker.group("t", "s", "train"), id, s, parts.get(id), SEQ_LEN,
        offsets.groupLengths())));
    List<int[]> ordered = new ArrayList<>();
    blocks.forEach((id, b) -> {
      assertEquals(ordered.size(), id.intValue(), "block ids run from 0 without a gap");
      ordered.add(b);
    });
    return ordered;
  }

  private static Map<Long, Integer> fragmentsPerBlock(List<List<int[]>> runs) {
    Map<Long, Integer> count = new TreeMap<>();
    long position = 0;
    for (List<int[]> run : runs) {
      long n = run.stream().mapToLong(d -> d.length + 1).sum();
      for (long b = position / (SEQ_LEN + 1); n > 0 && b <= (position + n - 1) / (SEQ_LEN + 1); b++) {
        count.merge(b, 1, Integer::sum);
      }
      position += n;
    }
    return count;
  }

  private static Row row(int[] doc) {
    return RowFactory.create("t", "s", "train", "d", scala.jdk.javaapi.CollectionConverters.asScala(List.of(TokenArrays.boxed(doc))).toSeq());
  }
}
