package dept.prep.ingest;

import java.lang.Character.UnicodeScript;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Letters per Unicode script in a text (common and inherited characters are not counted). */
public final class ScriptMix {

  private ScriptMix() {}

  /** Script name (e.g. {@code latin}, {@code han}) -> number of code points of that script. */
  public static Map<String, Long> count(String text) {
    Map<UnicodeScript, Long> counts = new TreeMap<>();
    text.codePoints()
        .filter(Character::isLetter)
        .forEach(
            cp -> {
              UnicodeScript s = UnicodeScript.of(cp);
              if (s != UnicodeScript.COMMON && s != UnicodeScript.INHERITED) {
                counts.merge(s, 1L, Long::sum);
              }
            });
    Map<String, Long> named = new TreeMap<>();
    counts.forEach((s, n) -> named.put(s.name().toLowerCase(Locale.ROOT), n));
    return named;
  }
}
