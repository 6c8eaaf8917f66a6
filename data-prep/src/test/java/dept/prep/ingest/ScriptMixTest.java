package dept.prep.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.Character.UnicodeScript;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ScriptMixTest {

  /** The definition, one lookup per letter: what the ASCII fast path must agree with. */
  private static Map<String, Long> byDefinition(String text) {
    Map<String, Long> out = new TreeMap<>();
    text.codePoints().filter(Character::isLetter).forEach(cp -> {
      UnicodeScript s = UnicodeScript.of(cp);
      if (s != UnicodeScript.COMMON && s != UnicodeScript.INHERITED) {
        out.merge(s.name().toLowerCase(Locale.ROOT), 1L, Long::sum);
      }
    });
    return out;
  }

  @Test
  void countsLettersPerScriptAsTheDefinitionDoes() {
    String text = "Hello, World_42! Ωμέγα Привет 漢字かなカナ e\u0301 \uD835\uDC00 def f(x): return x[0] @#$ ÀÿŁ";
    assertEquals(byDefinition(text), ScriptMix.count(text));
    assertEquals(Map.of("latin", 10L), ScriptMix.count("Hello, World 123"));
    assertEquals(Map.of(), ScriptMix.count("123 @#[]`{}~ \u0301"));
  }
}
