package dept.prep.pack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dept.prep.tokenizer.SpecialTokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BlockPackerTest {

  private static final int EOS = SpecialTokens.EOS_ID;
  private static final int PAD = SpecialTokens.PAD_ID;

  @Test
  void documentsAreSeparatedByEosAndTheLastBlockIsPadded() {
    BlockPacker p = new BlockPacker(3); // blocks of 4
    List<int[]> blocks = new ArrayList<>(p.add(new int[] {10, 11}));
    blocks.addAll(p.add(new int[] {12, 13, 14, 15, 16}));
    blocks.addAll(p.finish());
    assertEquals(3, blocks.size());
    assertArrayEquals(new int[] {10, 11, EOS, 12}, blocks.get(0));
    assertArrayEquals(new int[] {13, 14, 15, 16}, blocks.get(1));
    assertArrayEquals(new int[] {EOS, PAD, PAD, PAD}, blocks.get(2));
    assertEquals(3, p.padded());
  }

  @Test
  void anEmptyInputMakesNoBlock() {
    assertEquals(List.of(), new BlockPacker(8).finish());
  }

  @Test
  void blocksHoldEveryTokenInOrder() {
    Random rnd = new Random(3);
    BlockPacker p = new BlockPacker(16);
    List<Integer> expected = new ArrayList<>();
    List<int[]> blocks = new ArrayList<>();
    for (int d = 0; d < 50; d++) {
      int[] doc = rnd.ints(rnd.nextInt(60), 3, 500).toArray();
      for (int t : doc) {
        expected.add(t);
      }
      expected.add(EOS);
      blocks.addAll(p.add(doc));
    }
    blocks.addAll(p.finish());
    List<Integer> got = new ArrayList<>();
    blocks.forEach(b -> {
      assertEquals(17, b.length);
      for (int t : b) {
        got.add(t);
      }
    });
    assertEquals(expected, got.subList(0, expected.size()));
    assertEquals(p.padded(), got.size() - expected.size());
  }
}
