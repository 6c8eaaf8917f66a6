package dept.jobs.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Finds keys that no config record declares, walking the YAML tree alongside the record types.
 * Jackson builds a record before it reports unknown keys, so a misspelt required key would
 * otherwise surface as "x is required" instead of "unknown key".
 */
final class KeyCheck {

  private static final PropertyNamingStrategies.NamingBase SNAKE =
      (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

  private KeyCheck() {}

  /** Throws {@link ConfigException} for the first unknown key under {@code node}. */
  static void check(JsonNode node, Class<?> type, String path, String where) {
    if (!type.isRecord() || !node.isObject()) {
      return;
    }
    RecordComponent[] components = type.getRecordComponents();
    Set<String> known =
        Arrays.stream(components).map(c -> SNAKE.translate(c.getName())).collect(Collectors.toCollection(TreeSet::new));
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!known.contains(key)) {
        throw new ConfigException(
            where + ": unknown key " + join(path, key) + " (known keys: " + String.join(", ", known) + ")");
      }
    }
    for (RecordComponent c : components) {
      JsonNode child = node.get(SNAKE.translate(c.getName()));
      if (child == null) {
        continue;
      }
      String childPath = join(path, SNAKE.translate(c.getName()));
      if (c.getType().isRecord()) {
        check(child, c.getType(), childPath, where);
      } else if (List.class.isAssignableFrom(c.getType()) && child.isArray()) {
        Class<?> element = elementType(c.getGenericType());
        for (int i = 0; i < child.size(); i++) {
          check(child.get(i), element, childPath + "[" + i + "]", where);
        }
      }
    }
  }

  private static Class<?> elementType(Type listType) {
    if (listType instanceof ParameterizedType p && p.getActualTypeArguments()[0] instanceof Class<?> c) {
      return c;
    }
    return Object.class;
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }
}
