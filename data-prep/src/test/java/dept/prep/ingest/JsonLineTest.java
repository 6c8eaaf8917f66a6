package dept.prep.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The streaming reader answers as the tree reader it replaced ({@code ObjectMapper.readTree} on the
 * decoded line): on hand-picked edge cases and on thousands of seeded random corruptions of them.
 */
class JsonLineTest {

  private static final ObjectMapper TREE = new ObjectMapper();
  private static final JsonFactory FACTORY = new JsonFactory();
  private static final Set<String> FILTERS = Set.of("lang", "n", "flag");

  private static final List<String> CASES =
      List.of(
          "{\"text\":\"hi\",\"lang\":\"en\"}",
          "{\"lang\":\"en\",\"text\":\"a\\u00e9\\n\\\"q\\\"\\ud83d\\ude00\"}",
          "{\"text\":\"first\",\"text\":\"second\",\"lang\":\"de\",\"lang\":null}",
          "{\"text\":42,\"lang\":\"en\"}",
          "{\"text\":4.50,\"n\":1e2,\"flag\":true}",
          "{\"text\":[1,{\"a\":2}],\"n\":-0,\"flag\":false}",
          "{\"text\":{\"nested\":\"x\"},\"n\":123456789012345678901234567890}",
          "{\"text\":null,\"lang\":[\"en\"]}",
          "{\"meta\":{\"lang\":\"fr\",\"deep\":[[[]]]},\"text\":\"t\",\"lang\":{\"x\":1}}",
          "{\"text\":\"x\",\"n\":1.7976931348623157e309}",
          "{\"text\":\"x\"} trailing",
          "{}",
          "[1,2]",
          "\"just a string\"",
          "42",
          "null",
          "{\"text\":\"x\",}",
          "{\"text\":\"unterminated}",
          "{'text':'single'}",
          "{\"text\":\"x\",\"lang\":\"en\"",
          "{\"text\":\"ctrl\u0001char\"}",
          "\uFEFF{\"text\":\"bom inside\"}",
          "{\"text\":\"\u00e9t\u00e9 \u4e2d\u6587\",\"lang\":\"fr\"}");

  @Test
  void answersAsTheTreeReaderOnEdgeCases() {
    for (String line : CASES) {
      assertSame(line);
    }
  }

  @Test
  void answersAsTheTreeReaderOnRandomCorruptions() {
    Random random = new Random(7);
    String alphabet = "{}[]\":,\\ 0123456789.eE-+tnulfrasxé\u4e2d";
    int malformed = 0;
    for (int i = 0; i < 20_000; i++) {
      StringBuilder line = new StringBuilder(CASES.get(random.nextInt(CASES.size())));
      for (int edits = 1 + random.nextInt(3); edits > 0 && line.length() > 0; edits--) {
        int at = random.nextInt(line.length());
        switch (random.nextInt(3)) {
          case 0 -> line.deleteCharAt(at);
          case 1 -> line.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
          default -> line.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
        }
      }
      malformed += assertSame(line.toString()) ? 0 : 1;
    }
    assertTrue(malformed > 1_000 && malformed < 19_000, "the corruptions exercise both answers: " + malformed);
  }

  @Test
  void aByteOrderMarkInsideTheInputIsMalformedAsBefore() {
    byte[] bytes = "\uFEFF{\"text\":\"x\"}".getBytes(StandardCharsets.UTF_8);
    assertFalse(JsonLine.parse(FACTORY, bytes, 0, bytes.length, "text", FILTERS).isObject);
    assertTrue(JsonLine.parse(FACTORY, bytes, 3, bytes.length, "text", FILTERS).isObject);
  }

  /** Compares both readers on one line; returns whether it is an object. */
  private static boolean assertSame(String line) {
    byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
    JsonLine streamed = JsonLine.parse(FACTORY, bytes, 0, bytes.length, "text", FILTERS);
    JsonNode node;
    try {
      node = TREE.readTree(line);
    } catch (JsonProcessingException e) {
      node = null;
    }
    boolean isObject = node != null && node.isObject();
    assertEquals(isObject, streamed.isObject, line);
    if (!isObject) {
      return false;
    }
    Map<String, String> fields = new HashMap<>();
    for (String f : FILTERS) {
      JsonNode v = node.get(f);
      fields.put(f, v != null && v.isValueNode() && !v.isNull() ? v.asText() : null);
    }
    assertEquals(fields, streamed.fields, line);
    JsonNode t = node.get("text");
    String text = t != null && t.isTextual() ? t.textValue() : null;
    String type = t == null || t.isNull() || t.isTextual() ? null : t.getNodeType().name().toLowerCase();
    assertEquals(text, streamed.text, line);
    assertEquals(type, streamed.textType, line);
    return true;
  }

  @Test
  void utf8ValidityMatchesTheStrictDecoderOnRandomBytes() {
    Random random = new Random(11);
    List<byte[]> inputs = new ArrayList<>();
    for (int i = 0; i < 200_000; i++) {
      byte[] b = new byte[1 + random.nextInt(6)];
      for (int k = 0; k < b.length; k++) {
        // mostly bytes that matter: lead bytes, continuation bytes, the edges of the valid ranges
        int r = random.nextInt(10);
        b[k] = (byte) (r < 2 ? random.nextInt(0x80) : r < 6 ? 0x80 + random.nextInt(0x40) : 0xC0 + random.nextInt(0x40));
      }
      inputs.add(b);
    }
    int valid = 0;
    for (byte[] b : inputs) {
      boolean expected = Utf8.decodeStrict(b, b.length) != null;
      assertEquals(expected, Utf8.isValid(b, b.length), () -> java.util.HexFormat.of().formatHex(b));
      valid += expected ? 1 : 0;
    }
    assertTrue(valid > 10_000, "both answers occur: " + valid + " valid");
  }
}
