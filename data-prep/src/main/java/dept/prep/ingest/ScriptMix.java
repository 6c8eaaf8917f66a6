package dept.prep.ingest;

import java.lang.Character.UnicodeScript;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Letters per Unicode script in a text (common and inherited characters are not counted). */
public final class ScriptMix {

  private static final UnicodeScript[] SCRIPTS = UnicodeScript.values();

  /** Length of the per-script count arrays that {@link #addTo} fills. */
  static final int SCRIPT_COUNT = SCRIPTS.length;

  private ScriptMix() {}

  /** Script name (e.g. {@code latin}, {@code han}) -> number of code points of that script. */
  public static Map<String, Long> count(String text) {
    long[] counts = new long[SCRIPT_COUNT];
    addTo(text, counts);
    return named(counts);
  }

  /**
   * Adds the text's letters to {@code counts}, indexed by script ordinal. ASCII letters are Latin
   * without a lookup: the statistics pass runs this on every document, and most text is ASCII.
   */
  static void addTo(String text, long[] counts) {
    int latin = UnicodeScript.LATIN.ordinal();
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      if (cp < 0x80) {
        int lower = cp | 0x20;
        if (lower >= 'a' && lower <= 'z') {
          counts[latin]++;
        }
      } else if (Character.isLetter(cp)) {
        UnicodeScript s = UnicodeScript.of(cp);
        if (s != UnicodeScript.COMMON && s != UnicodeScript.INHERITED) {
          counts[s.ordinal()]++;
        }
      }
    }
  }

  /** Counts by ordinal as script name -> count, scripts with no letter left out. */
  static Map<String, Long> named(long[] counts) {
    Map<String, Long> named = new TreeMap<>();
    for (int s = 0; s < counts.length; s++) {
      if (counts[s] > 0) {
        named.put(SCRIPTS[s].name().toLowerCase(Locale.ROOT), counts[s]);
      }
    }
    return named;
  }
}
