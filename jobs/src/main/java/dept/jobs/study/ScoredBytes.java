package dept.jobs.study;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The UTF-8 bytes each arm's validation scored per source. With a whole-document sample
 * ({@code train.eval_bytes}) every arm must have scored the same bytes of each source, whatever its
 * tokenizer: otherwise the arms were scored on different text and the study refuses to compare them.
 */
final class ScoredBytes {

  private final Map<String, Map<String, Long>> bySource = new TreeMap<>();

  void add(String arm, long seed, String source, long bytes) {
    bySource.computeIfAbsent(source, s -> new TreeMap<>()).put(arm + " seed " + seed, bytes);
  }

  /** Throws, naming the sources and arms, when some source was scored on different bytes by different arms. */
  void requireEqual() {
    List<String> unequal = bySource.entrySet().stream()
        .filter(e -> e.getValue().values().stream().distinct().count() > 1)
        .map(e -> e.getKey() + " " + e.getValue())
        .toList();
    if (!unequal.isEmpty()) {
      throw new IllegalStateException("study: arms scored different validation bytes (train.eval_bytes should make them equal): "
          + String.join("; ", unequal));
    }
  }

  /** One line per source: the bytes scored (and whether every arm scored the same). */
  String markdown() {
    return bySource.entrySet().stream()
        .map(e -> {
          List<Long> values = e.getValue().values().stream().distinct().sorted().toList();
          return String.format(Locale.ROOT, "%s %s", e.getKey(), values.size() == 1 ? String.format(Locale.ROOT, "%,d", values.get(0))
              : values.get(0) + "-" + values.get(values.size() - 1) + " (differs by arm)");
        })
        .collect(Collectors.joining(", "));
  }
}
