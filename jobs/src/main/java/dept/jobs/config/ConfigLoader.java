package dept.jobs.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads YAML into {@link PipelineConfig}: snake_case keys, unknown keys rejected, {@code --set
 * a.b[0].c=v} overrides applied to the tree first (values parsed as YAML, so types are checked by
 * the binding). Every failure is a {@link ConfigException} that names the key path.
 */
public final class ConfigLoader {

  /** The embedded default: {@code conf/local.yaml}, packed into the jobs jar. */
  public static final String DEFAULT_RESOURCE = "/dept/local.yaml";

  private final ObjectMapper yaml;

  public ConfigLoader() {
    yaml =
        new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER))
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(com.fasterxml.jackson.databind.MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS);
  }

  /** The config at {@code file} (or the embedded default when null) with overrides applied. */
  public PipelineConfig load(Path file, List<String> overrides) {
    JsonNode tree = file == null ? readDefault() : readFile(file);
    if (!(tree instanceof ObjectNode root)) {
      throw new ConfigException(source(file) + ": the top level must be a mapping of sections");
    }
    for (String o : overrides) {
      applyOverride(root, o);
    }
    return bind(root, source(file));
  }

  /** {@code base} (a loaded config) with more overrides applied, e.g. one arm of a study. */
  public PipelineConfig derive(PipelineConfig base, List<String> overrides) {
    ObjectNode root = (ObjectNode) parse(toYaml(base), "the derived config");
    for (String o : overrides) {
      applyOverride(root, o);
    }
    return bind(root, "the derived config (" + String.join(", ", overrides) + ")");
  }

  /** The config as YAML, with every default filled in (what the run actually used). */
  public String toYaml(PipelineConfig config) {
    try {
      return yaml.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("config cannot be written as YAML", e);
    }
  }

  private static String source(Path file) {
    return file == null ? "the embedded conf/local.yaml" : file.toString();
  }

  private JsonNode readFile(Path file) {
    return readFile(file, new java.util.ArrayList<>());
  }

  /**
   * {@code file}'s tree; a top-level {@code base: other.yaml} (relative to the file) is read first
   * and this file's keys are laid over it, mapping by mapping (a list or value replaces the base's).
   */
  private JsonNode readFile(Path file, List<Path> chain) {
    Path normalized = file.toAbsolutePath().normalize();
    if (chain.contains(normalized)) {
      throw new ConfigException(file + ": base configs form a cycle: " + chain);
    }
    chain.add(normalized);
    JsonNode tree;
    try {
      tree = parse(Files.readString(file), file.toString());
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file not found: " + file);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
    if (tree instanceof ObjectNode root && root.has("base")) {
      JsonNode base = root.remove("base");
      if (!base.isTextual() || base.asText().isBlank()) {
        throw new ConfigException(file + ": base: expected the path of another config file, got " + base);
      }
      Path parent = file.toAbsolutePath().getParent();
      JsonNode under = readFile(parent.resolve(base.asText()), chain);
      if (!(under instanceof ObjectNode merged)) {
        throw new ConfigException(base.asText() + " (the base of " + file + "): the top level must be a mapping of sections");
      }
      layer(merged, root);
      return merged;
    }
    return tree;
  }

  /** {@code top}'s keys laid over {@code under}: mappings merge key by key, anything else replaces. */
  private static void layer(ObjectNode under, ObjectNode top) {
    top.fields().forEachRemaining(e -> {
      JsonNode below = under.get(e.getKey());
      if (below instanceof ObjectNode b && e.getValue() instanceof ObjectNode t) {
        layer(b, t);
      } else {
        under.set(e.getKey(), e.getValue());
      }
    });
  }

  private JsonNode readDefault() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new ConfigException("the embedded default config " + DEFAULT_RESOURCE + " is missing from the jar");
      }
      return parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), source(null));
    } catch (IOException e) {
      throw new ConfigException("cannot read the embedded default config: " + e.getMessage(), e);
    }
  }

  private JsonNode parse(String text, String where) {
    try {
      JsonNode node = yaml.readTree(text);
      return node == null ? JsonNodeFactory.instance.objectNode() : node;
    } catch (JsonProcessingException e) {
      throw new ConfigException(where + ": not valid YAML: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
    }
  }

  // ---- overrides -------------------------------------------------------------------------

  private void applyOverride(ObjectNode root, String override) {
    int eq = override.indexOf('=');
    if (eq <= 0) {
      throw new ConfigException("--set " + override + ": expected key=value, e.g. ingest.val_fraction=0.1 or spark.conf[spark.ui.enabled]=true");
    }
    String key = override.substring(0, eq).trim();
    JsonNode value = parse(override.substring(eq + 1), "--set " + key);
    if (value.isObject() && value.isEmpty() && override.substring(eq + 1).isBlank()) {
      value = JsonNodeFactory.instance.nullNode();
    }
    List<Object> path = parsePath(key);
    JsonNode node = root;
    for (int i = 0; i < path.size() - 1; i++) {
      node = child(node, path.get(i), path.get(i + 1), key);
    }
    Object last = path.get(path.size() - 1);
    if (last instanceof String field) {
      if (!(node instanceof ObjectNode obj)) {
        throw new ConfigException("--set " + key + ": '" + field + "' is not inside a mapping");
      }
      obj.set(field, value);
    } else {
      int index = (Integer) last;
      if (!(node instanceof ArrayNode arr) || index >= arr.size()) {
        throw new ConfigException("--set " + key + ": index " + index + " is not in the list");
      }
      arr.set(index, value);
    }
  }

  private static JsonNode child(JsonNode node, Object step, Object next, String key) {
    if (step instanceof String field) {
      if (!(node instanceof ObjectNode obj)) {
        throw new ConfigException("--set " + key + ": '" + field + "' is not inside a mapping");
      }
      JsonNode c = obj.get(field);
      if (c == null || c.isNull()) {
        c = next instanceof Integer ? obj.putArray(field) : obj.putObject(field);
      }
      return c;
    }
    int index = (Integer) step;
    if (!(node instanceof ArrayNode arr) || index >= arr.size()) {
      throw new ConfigException("--set " + key + ": index " + index + " is not in the list");
    }
    return arr.get(index);
  }

  /**
   * {@code a.b[2].c} -> [a, b, 2, c]. A bracket that holds no number is one literal key, for map
   * keys with dots: {@code spark.conf[spark.ui.enabled]} -> [spark, conf, spark.ui.enabled].
   */
  static List<Object> parsePath(String key) {
    List<Object> path = new ArrayList<>();
    StringBuilder name = new StringBuilder();
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c == '.') {
        addName(path, name, key);
      } else if (c == '[') {
        int close = key.indexOf(']', i);
        if (close < 0) {
          throw new ConfigException("--set " + key + ": '[' without ']'");
        }
        if (name.length() > 0) {
          addName(path, name, key);
        } else if (path.isEmpty()) {
          throw new ConfigException("--set " + key + ": empty key segment");
        }
        String inside = key.substring(i + 1, close);
        if (inside.isEmpty()) {
          throw new ConfigException("--set " + key + ": empty '[]'");
        }
        path.add(inside.chars().allMatch(Character::isDigit) ? (Object) Integer.parseInt(inside) : inside);
        i = close;
        if (i + 1 < key.length() && key.charAt(i + 1) == '.') {
          i++;
        }
      } else {
        name.append(c);
      }
    }
    if (name.length() > 0 || key.endsWith(".")) {
      addName(path, name, key);
    }
    return path;
  }

  private static void addName(List<Object> path, StringBuilder name, String key) {
    if (name.length() == 0) {
      throw new ConfigException("--set " + key + ": empty key segment");
    }
    path.add(name.toString());
    name.setLength(0);
  }

  // ---- binding ---------------------------------------------------------------------------

  private PipelineConfig bind(ObjectNode root, String where) {
    KeyCheck.check(root, PipelineConfig.class, "", where);
    try {
      return yaml.treeToValue(root, PipelineConfig.class);
    } catch (UnrecognizedPropertyException e) {
      String known =
          e.getKnownPropertyIds() == null
              ? ""
              : " (known keys: "
                  + e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", "))
                  + ")";
      throw new ConfigException(where + ": unknown key " + pathOf(e) + known);
    } catch (InvalidFormatException e) {
      String accepted =
          e.getTargetType() != null && e.getTargetType().isEnum()
              ? "; accepted: " + enumNames(e.getTargetType())
              : "";
      throw new ConfigException(where + ": " + pathOf(e) + ": bad value '" + e.getValue() + "'" + accepted);
    } catch (ValueInstantiationException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      String at = pathOf(e);
      throw new ConfigException(where + ": " + (at.isEmpty() ? "" : at + ": ") + cause.getMessage());
    } catch (JsonMappingException e) {
      throw new ConfigException(where + ": " + pathOf(e) + ": " + firstLine(e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      throw new ConfigException(where + ": " + firstLine(e.getOriginalMessage()));
    }
  }

  private static String enumNames(Class<?> type) {
    List<String> names = new ArrayList<>();
    for (Object c : type.getEnumConstants()) {
      try {
        var p = type.getField(((Enum<?>) c).name()).getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
        names.add(p == null ? c.toString() : p.value());
      } catch (NoSuchFieldException e) {
        names.add(c.toString());
      }
    }
    return String.join(", ", names);
  }

  private static String firstLine(String s) {
    int nl = s == null ? -1 : s.indexOf('\n');
    return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
  }

  /** The key path of a binding error, e.g. {@code ingest.sources[1].format}. */
  static String pathOf(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.toString();
  }
}
