package dept.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The main code's packages form a DAG (jobs -> evaluation -> training -> data-prep, and no cycle
 * inside a module): read from the imports and same-package-free references of every main source.
 */
class PackageCyclesTest {

  private static final Path ROOT = Path.of("..");
  private static final Pattern PACKAGE = Pattern.compile("^package (dept[\\w.]*);", Pattern.MULTILINE);
  private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(dept(?:\\.[a-z]\\w*)*)\\.[A-Z]", Pattern.MULTILINE);
  private static final Pattern QUALIFIED = Pattern.compile("\\b(dept(?:\\.[a-z]\\w*)+)\\.[A-Z]\\w*");

  @Test
  void mainPackagesHaveNoCycle() throws IOException {
    Map<String, Set<String>> deps = packageGraph();
    assertTrue(deps.size() > 15, "found the packages: " + deps.keySet());
    List<String> cycle = findCycle(deps);
    assertEquals(List.of(), cycle, "package cycle");
  }

  @Test
  void theCycleFinderFindsACycle() {
    Map<String, Set<String>> deps = new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a")));
    assertEquals(List.of("a", "b", "c", "a"), findCycle(deps));
  }

  private static Map<String, Set<String>> packageGraph() throws IOException {
    Map<String, Set<String>> deps = new TreeMap<>();
    for (String module : List.of("data-prep", "training", "evaluation", "jobs")) {
      try (Stream<Path> files = Files.walk(ROOT.resolve(module).resolve("src/main/java"))) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          String src = Files.readString(f);
          Matcher pkg = PACKAGE.matcher(src);
          assertTrue(pkg.find(), "no package line in " + f);
          Set<String> out = deps.computeIfAbsent(pkg.group(1), k -> new TreeSet<>());
          for (Pattern p : List.of(IMPORT, QUALIFIED)) {
            Matcher m = p.matcher(src);
            while (m.find()) {
              if (!m.group(1).equals(pkg.group(1))) {
                out.add(m.group(1));
              }
            }
          }
        }
      }
    }
    return deps;
  }

  /** A cycle as the packages along it (first = last), or an empty list. */
  static List<String> findCycle(Map<String, Set<String>> deps) {
    Map<String, Integer> state = new TreeMap<>(); // 1 = on the path, 2 = done
    for (String start : deps.keySet()) {
      Deque<String> path = new ArrayDeque<>();
      List<String> found = visit(start, deps, state, path);
      if (!found.isEmpty()) {
        return found;
      }
    }
    return List.of();
  }

  private static List<String> visit(String node, Map<String, Set<String>> deps, Map<String, Integer> state, Deque<String> path) {
    Integer s = state.get(node);
    if (s != null && s == 2) {
      return List.of();
    }
    if (s != null && s == 1) {
      List<String> cycle = new ArrayList<>();
      boolean in = false;
      for (String p : (Iterable<String>) path::descendingIterator) {
        in |= p.equals(node);
        if (in) {
          cycle.add(p);
        }
      }
      cycle.add(node);
      return cycle;
    }
    state.put(node, 1);
    path.push(node);
    for (String next : deps.getOrDefault(node, Set.of())) {
      List<String> found = visit(next, deps, state, path);
      if (!found.isEmpty()) {
        return found;
      }
    }
    path.pop();
    state.put(node, 2);
    return List.of();
  }
}
