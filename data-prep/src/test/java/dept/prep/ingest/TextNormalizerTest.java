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
