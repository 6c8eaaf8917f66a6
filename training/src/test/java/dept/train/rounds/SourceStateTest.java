package dept.train.rounds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dept.train.local.AdamW;
import dept.train.params.NamedTensors;
import dept.train.params.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceStateTest {

  @TempDir Path dir;

  private static NamedTensors t(float v, int n) {
    float[] data = new float[n];
    java.util.Arrays.fill(data, v);
    return new NamedTensors(Map.of("embed.wte", new Tensor(new long[] {n / 4, 4}, data)));
  }

  @Test
  void aStateStreamsThroughTheStoreAndReadsBackWhole() {
    // Sections larger than the tensor reader's 64K buffers: a section's reader must stop at its own end.
    SourceState state = new SourceState(t(1.5f, 80_000), new AdamW.State(t(2f, 80_000), t(3f, 80_000), 17), 42);
    CheckpointStore store = new CheckpointStore(dir.toString(), new Configuration());
    store.writeSourceState("en/replica-0", 3, state::write);
    SourceState back = store.readSourceState("en/replica-0", 5, SourceState::read).orElseThrow();
    assertEquals(state.embeddings(), back.embeddings());
    assertEquals(state.optimizer().m(), back.optimizer().m());
    assertEquals(state.optimizer().v(), back.optimizer().v());
    assertEquals(17, back.optimizer().steps());
    assertEquals(42, back.batchesServed());
    SourceState empty = SourceState.fromBytes(SourceState.empty().toBytes());
    assertNull(empty.embeddings());
    assertNull(empty.optimizer());
  }

  /** States written by earlier runs ("DSS1": int section lengths) still resume. */
  @Test
  void theEarlierOneArrayFormReads() throws Exception {
    NamedTensors e = t(0.25f, 8);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(0x44535331);
    out.writeLong(9);
    byte[] section = e.toBytes();
    out.writeInt(section.length);
    out.write(section);
    out.writeInt(0);
    out.writeInt(0);
    out.writeLong(-1);
    SourceState old = SourceState.fromBytes(bytes.toByteArray());
    assertEquals(e, old.embeddings());
    assertNull(old.optimizer());
    assertEquals(9, old.batchesServed());
  }
}
