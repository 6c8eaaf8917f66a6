package dept.train.rounds;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.train.params.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class SharingPolicyTest {

  @Test
  void eachVariantSharesExactlyItsTensors() {
    SharingPolicy spec = SharingPolicy.of("spec");
    assertTrue(spec.aggregated("body.h0.attn.qkv.w"));
    assertFalse(spec.aggregated("embed.wte"));
    assertFalse(spec.aggregated("embed.wpe"));
    assertFalse(spec.globalVocabulary());
    SharingPolicy trim = SharingPolicy.of("TRIM");
    assertFalse(trim.aggregated("embed.wte"), "TRIM merges token rows, not the whole table");
    assertTrue(trim.aggregated("embed.wpe"));
    assertTrue(SharingPolicy.of("GLOB").aggregated("embed.wte"));
    assertTrue(SharingPolicy.of("STD").globalVocabulary());
    assertEquals("SPEC", spec.name());
    assertThrows(IllegalArgumentException.class, () -> SharingPolicy.of("ALL"));
  }

  @Test
  void trimMergesRowsByGlobalIdOverTheirHolders() {
    // 4 global rows of width 2.
    Tensor global = new Tensor(new long[] {4, 2}, new float[] {0, 0, 1, 1, 2, 2, 3, 3});
    assertArrayEquals(new float[] {3, 3, 1, 1}, TrimRows.gather(global, new int[] {3, 1}).data());
    Tensor a = new Tensor(new long[] {2, 2}, new float[] {10, 10, 20, 20}); // rows 1, 2
    Tensor b = new Tensor(new long[] {1, 2}, new float[] {40, 40}); // row 2
    Tensor merged = TrimRows.merge(global, List.of(new int[] {1, 2}, new int[] {2}), List.of(a, b));
    assertArrayEquals(new float[] {0, 0, 10, 10, 30, 30, 3, 3}, merged.data(), "row 0 and 3 held by nobody stay");
  }
}
