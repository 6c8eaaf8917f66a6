package dept.prep.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The fields of one JSON-lines record that ingest needs, read from its UTF-8 bytes with Jackson's
 * streaming parser: the text field and the filter fields, every other value skipped (but still
 * parsed, so malformed JSON anywhere in the line is found). Same answers as reading the line into
 * a tree ({@code ObjectMapper.readTree}) and asking it, without decoding the line to a String or
 * building the tree: a later duplicate key wins, scalars read as {@code JsonNode.asText()} does.
 */
final class JsonLine {

  /** Whether the line is a JSON object (else it is malformed). */
  boolean isObject;
  /** Filter field -> its scalar value as text; absent, null or structured values are null. */
  final Map<String, String> fields = new HashMap<>();
  /** The text field's string value; null when absent, JSON null or not a string. */
  String text;
  /** The text field's JSON type when present and neither null nor a string (e.g. "number"). */
  String textType;

  private JsonLine() {}

  /** Parses {@code bytes[from, to)}; a syntax error anywhere gives {@code isObject == false}. */
  static JsonLine parse(JsonFactory factory, byte[] bytes, int from, int to, String textField, Set<String> filterFields) {
    JsonLine line = new JsonLine();
    filterFields.forEach(f -> line.fields.put(f, null));
    if (to - from >= 3 && bytes[from] == (byte) 0xEF && bytes[from + 1] == (byte) 0xBB && bytes[from + 2] == (byte) 0xBF) {
      return line; // a byte-order mark inside the input: Jackson's byte reader would skip it, a text reader does not
    }
    try (JsonParser p = factory.createParser(bytes, from, to - from)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return line;
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        boolean isText = name.equals(textField);
        boolean isFilter = filterFields.contains(name);
        if (isText) {
          line.text = value == JsonToken.VALUE_STRING ? p.getText() : null;
          line.textType = value == JsonToken.VALUE_STRING || value == JsonToken.VALUE_NULL ? null : typeName(value);
        }
        if (isFilter) {
          line.fields.put(name, scalarText(p, value));
        }
        p.skipChildren();
      }
      line.isObject = t == JsonToken.END_OBJECT;
    } catch (IOException e) {
      line.isObject = false;
    }
    return line;
  }

  /** {@code JsonNode.asText()} of a scalar as {@code readTree} would build it; null for null and structures. */
  private static String scalarText(JsonParser p, JsonToken value) throws IOException {
    return switch (value) {
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT -> p.getBigIntegerValue().toString();
      case VALUE_NUMBER_FLOAT -> Double.toString(p.getDoubleValue());
      case VALUE_TRUE -> "true";
      case VALUE_FALSE -> "false";
      default -> null;
    };
  }

  private static String typeName(JsonToken value) {
    return switch (value) {
      case START_OBJECT -> "object";
      case START_ARRAY -> "array";
      case VALUE_TRUE, VALUE_FALSE -> "boolean";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
      default -> value.name().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
