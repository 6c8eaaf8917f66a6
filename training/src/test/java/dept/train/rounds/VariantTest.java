package dept.train.rounds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VariantTest {

  @Test
  void suffixesComposeInAnyOrderToOneCanonicalName() {
    assertEquals(new Variant(Sharing.TRIM, true, false), Variant.parse("trim+scone"));
    assertEquals(new Variant(Sharing.SPEC, false, true), Variant.parse("SPEC+RTD"));
    assertEquals("GLOB+SCONE", Variant.parse("glob+SCONE").name());
    assertEquals("spec-scone", Variant.parse("SPEC+SCONE").directory());
    assertEquals(Variant.parse("STD+RTD"), Variant.parse("STD").withRtd());
    Variant specGlobal = Variant.parse("spec+globalvocab");
    assertEquals("SPEC+GLOBALVOCAB", specGlobal.name());
    assertEquals("spec-globalvocab", specGlobal.directory());
    assertTrue(specGlobal.globalVocabulary(), "reads the global tokenizer");
    assertFalse(specGlobal.sharedEmbeddings(), "its embeddings stay at the sources");
    assertFalse(Variant.parse("SPEC").globalVocabulary());
    assertTrue(Variant.parse("GLOB").sharedEmbeddings());
  }

  @Test
  void combinationsThatCannotTrainAreRefusedWithTheReason() {
    IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> Variant.parse("SPEC+RTD+SCONE"));
    assertTrue(both.getMessage().contains("+SCONE and +RTD do not combine"), both.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Variant.parse("TRIM+SCONE+RTD"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Variant.parse("SPEC+SCONE+SCONE")).getMessage().contains("repeats"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Variant.parse("SPEC+FOO")).getMessage().contains("unknown suffix +FOO"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Variant.parse("ALL")).getMessage().contains("[STD, ACT, GLOB, TRIM, SPEC]"));
    assertThrows(IllegalArgumentException.class, () -> Variant.parse("SPEC+"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Variant.parse("GLOB+GLOBALVOCAB")).getMessage()
        .contains("SPEC's option"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Variant.parse("SPEC+SCONE+GLOBALVOCAB")).getMessage()
        .contains("does not combine"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Variant.parse("SPEC+GLOBALVOCAB+GLOBALVOCAB")).getMessage()
        .contains("repeats"));
  }

  @Test
  void eachSharingSchemeAggregatesExactlyItsTensors() {
    SharingPolicy spec = Sharing.SPEC.policy();
    assertTrue(spec.aggregated("body.h0.attn.qkv.w"));
    assertFalse(spec.aggregated("embed.wte"));
    assertFalse(spec.aggregated("embed.wpe"));
    assertFalse(Sharing.SPEC.sharedEmbeddings());
    SharingPolicy trim = Sharing.TRIM.policy();
    assertFalse(trim.aggregated("embed.wte"), "TRIM sends token rows, not the whole table");
    assertTrue(trim.aggregated("embed.wpe"));
    assertTrue(Sharing.GLOB.policy().aggregated("embed.wte"));
    assertTrue(Sharing.STD.sharedEmbeddings());
    assertTrue(Sharing.ACT.policy().mixture());
    assertFalse(Sharing.GLOB.policy().mixture());
  }

  @Test
  void trimGathersTheRowsItsSourceUses() {
    dept.train.params.Tensor global = new dept.train.params.Tensor(new long[] {4, 2}, new float[] {0, 0, 1, 1, 2, 2, 3, 3});
    org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {3, 3, 1, 1}, TrimSharing.gather(global, new int[] {3, 1}).data());
    org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {0, 1, 2, 5, 9},
        TrimSharing.heldRows(new long[] {0, 4, 0, 0, 0, 7, 0, 0, 0, 1, 0}), "specials 0-2 always, then the ids the data uses");
  }
}
