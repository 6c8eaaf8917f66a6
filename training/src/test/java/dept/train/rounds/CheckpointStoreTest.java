package dept.train.rounds;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {

  @TempDir Path dir;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void theNewestIntactCheckpointIsReturned() throws Exception {
    CheckpointStore store = new CheckpointStore(dir.toString(), new Configuration());
    assertTrue(store.latestComplete().isEmpty());
    store.writeRound(1, Map.of("body.bin", b("one"), "outer.bin", b("m1")));
    store.writeRound(2, Map.of("body.bin", b("two"), "outer.bin", b("m2")));
    CheckpointStore.Checkpoint c = store.latestComplete().orElseThrow();
    assertEquals(2, c.round());
    assertArrayEquals(b("two"), c.files().get("body.bin"));
  }

  @Test
  void aTornCheckpointIsDetectedAndThePreviousOneUsed() throws Exception {
    CheckpointStore store = new CheckpointStore(dir.toString(), new Configuration());
    store.writeRound(1, Map.of("body.bin", b("one")));
    store.writeRound(2, Map.of("body.bin", b("two")));
    Files.writeString(dir.resolve("round-00002/body.bin"), "tw"); // torn write
    assertEquals(1, store.latestComplete().orElseThrow().round());
    store.writeRound(3, Map.of("body.bin", b("three")));
    Files.delete(dir.resolve("round-00003/manifest.json")); // killed before the manifest
    assertEquals(1, store.latestComplete().orElseThrow().round());
  }

  @Test
  void sourceStateIsReadAsOfARound() {
    CheckpointStore store = new CheckpointStore(dir.toString(), new Configuration());
    store.writeSourceState("en", 1, b("e1"));
    store.writeSourceState("en", 4, b("e4"));
    assertTrue(store.readSourceState("en", 0).isEmpty());
    assertArrayEquals(b("e1"), store.readSourceState("en", 3).orElseThrow());
    assertArrayEquals(b("e4"), store.readSourceState("en", 4).orElseThrow());
    assertTrue(store.readSourceState("zh", 9).isEmpty());
  }
}
