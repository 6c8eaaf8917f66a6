package dept.train.params;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NamedTensorsTest {

  private static NamedTensors of(float... values) {
    return new NamedTensors(Map.of(
        "body.w", new Tensor(new long[] {2, 2}, new float[] {values[0], values[1], values[2], values[3]}),
        "body.b", new Tensor(new long[] {1}, new float[] {values[4]})));
  }

  @Test
  void bytesAndFilesRoundTripExactly(@TempDir Path dir) {
    NamedTensors t = of(1.5f, -0f, Float.MIN_VALUE, 3e38f, 7f);
    assertEquals(t, NamedTensors.fromBytes(t.toBytes()));
    assertEquals(t.toBytes().length, t.byteSize(), "the transfer size is known without serialising");
    NamedTensors two = t.with(new NamedTensors(java.util.Map.of("embed.wte", new Tensor(new long[] {2, 3}, new float[6]))));
    assertEquals(two.toBytes().length, two.byteSize());
    assertEquals(NamedTensors.EMPTY.toBytes().length, NamedTensors.EMPTY.byteSize());
    t.save(dir.resolve("p.bin"));
    assertEquals(t, NamedTensors.load(dir.resolve("p.bin")));
    assertEquals(t.checksum(), NamedTensors.load(dir.resolve("p.bin")).checksum());
  }

  @Test
  void theStreamedFormIsTheByteFormAndReadsBackTensorsLargerThanItsBuffers() throws Exception {
    float[] big = new float[200_003]; // spans several of the stream's 64K-value buffers
    for (int i = 0; i < big.length; i++) {
      big[i] = i * 0.25f - 7;
    }
    NamedTensors t = of(1, 2, 3, 4, 5).with(new NamedTensors(Map.of("embed.wte", new Tensor(new long[] {200_003}, big))));
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    t.write(out);
    assertArrayEquals(t.toBytes(), out.toByteArray(), "one format: files written before streaming still read");
    assertEquals(t, NamedTensors.read(new java.io.ByteArrayInputStream(out.toByteArray())));
    byte[] torn = java.util.Arrays.copyOf(out.toByteArray(), out.size() - 40_000);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NamedTensors.read(new java.io.ByteArrayInputStream(torn)));
    assertTrue(e.getMessage().contains("torn or altered"), e.getMessage());
  }

  @Test
  void aTornOrAlteredFileFailsItsChecksum() {
    byte[] b = of(1, 2, 3, 4, 5).toBytes();
    byte[] torn = java.util.Arrays.copyOf(b, b.length - 5);
    assertThrows(IllegalArgumentException.class, () -> NamedTensors.fromBytes(torn));
    b[20] ^= 1;
    assertThrows(IllegalArgumentException.class, () -> NamedTensors.fromBytes(b));
  }

  @Test
  void fedAvgWeightsByTokenCountAndAveragingACopyIsTheIdentity() {
    NamedTensors a = of(0, 0, 0, 0, 0);
    NamedTensors b = of(4, 4, 4, 4, 4);
    NamedTensors mean = NamedTensors.weightedMean(List.of(a, b), List.of(3.0, 1.0));
    assertArrayEquals(new float[] {1, 1, 1, 1}, mean.get("body.w").data());
    NamedTensors x = of(0.1f, 0.2f, 0.3f, 0.7f, 1e-7f);
    assertEquals(x, NamedTensors.weightedMean(List.of(x, x), List.of(1.0, 2.0)));
  }

  @Test
  void deltaThenAddRestoresTheNewer() {
    NamedTensors old = of(1, 2, 3, 4, 5);
    NamedTensors now = of(2, 2, 1, 4, 9);
    NamedTensors delta = now.minus(old);
    assertArrayEquals(new float[] {1, 0, -2, 0}, delta.get("body.w").data());
    assertEquals(now, old.plusScaled(delta, 1.0));
  }

  @Test
  void layoutsMustMatch() {
    NamedTensors other = new NamedTensors(Map.of("body.w", new Tensor(new long[] {4}, new float[4])));
    assertThrows(IllegalArgumentException.class, () -> of(1, 2, 3, 4, 5).minus(other));
    assertNotEquals(of(1, 2, 3, 4, 5).checksum(), of(1, 2, 3, 4, 6).checksum());
    assertTrue(of(1, 2, 3, 4, 5).allFinite());
    assertTrue(!of(1, Float.NaN, 3, 4, 5).allFinite());
  }
}
