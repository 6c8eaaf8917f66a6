package dept.prep.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TextNormalizerTest {

  private final TextNormalizer prose = new TextNormalizer(WhitespaceMode.COLLAPSE);
  private final TextNormalizer code = new TextNormalizer(WhitespaceMode.PRESERVE);

  @Test
  void composesToNfc() {
    assertEquals("caf\u00e9", prose.normalize("cafe\u0301"));
  }

  @Test
  void dropsControlCharactersButKeepsNewlinesAndTabs() {
    assertEquals("a\tb\nc", code.normalize("a\u0007\tb\u0000\r\nc\u001b"));
  }

  @Test
  void collapseJoinsSpaceRunsAndBlankLines() {
    assertEquals("one two\n\nthree", prose.normalize("  one \t  two  \n\n\n\n  three \n"));
  }

  /** The definition the one-pass collapse must match, on strings dense in every kind of space. */
  @Test
  void collapsingSpacesMatchesTheRegexDefinition() {
    java.util.regex.Pattern definition = java.util.regex.Pattern.compile("[\\t\\p{Zs}]+");
    char[] alphabet = {' ', ' ', '\t', '\u00a0', '\u2003', '\u3000', '\u202f', '\u2028', '\u000b', '\u200b', 'a', 'b', '\u00e9', '\u4e2d',
        '\ud83d', '\ude00', '\n'};
    java.util.Random rnd = new java.util.Random(11);
    for (int i = 0; i < 50_000; i++) {
      StringBuilder b = new StringBuilder();
      for (int j = rnd.nextInt(12); j > 0; j--) {
        b.append(alphabet[rnd.nextInt(alphabet.length)]);
      }
      String line = b.toString();
      assertEquals(definition.matcher(line).replaceAll(" "), TextNormalizer.collapseSpaces(line), () -> line.chars()
          .mapToObj(c -> String.format("U+%04X", c)).toList().toString());
    }
  }

  @Test
  void preserveKeepsIndentationAndSingleBlankLines() {
    String src = "\n\nclass A {\n    int x;   \n\n\tvoid f() {}\n}\n\n";
    assertEquals("class A {\n    int x;\n\n\tvoid f() {}\n}", code.normalize(src));
  }

  @Test
  void onlyWhitespaceBecomesEmpty() {
    assertEquals("", prose.normalize(" \t\n\u00a0\n"));
    assertEquals("", code.normalize(" \t\n\n"));
  }

  @Test
  void bidiControlsAndByteOrderMarksGoJoinersStay() {
    TextNormalizer n = new TextNormalizer(WhitespaceMode.COLLAPSE);
    assertEquals("abc", n.normalize("\uFEFFa\u202Eb\u2066c\u2069"));
    assertEquals("\u0645\u200C\u06CC", n.normalize("\u0645\u200C\u06CC"), "ZWNJ is part of Persian words");
  }

  @Test
  void textOfOnlyZeroWidthCharactersHasNothingVisible() {
    assertFalse(TextNormalizer.hasVisibleText("\u200B\u200E\u200F \u200D"));
    assertTrue(TextNormalizer.hasVisibleText("\u200Bx"));
  }
}
