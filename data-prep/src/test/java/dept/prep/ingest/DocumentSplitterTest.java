package dept.prep.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DocumentSplitterTest {

  @Test
  void shortDocumentIsOnePiece() {
    assertEquals(List.of("hello world"), new DocumentSplitter(64).split("hello world"));
  }

  @Test
  void cutsAfterParagraphBreakWhenOneIsInReach() {
    String text = "a".repeat(40) + "\n\n" + "b".repeat(40);
    List<String> pieces = new DocumentSplitter(64).split(text);
    assertEquals(List.of("a".repeat(40) + "\n\n", "b".repeat(40)), pieces);
  }

  @Test
  void piecesAreBoundedAndConcatenateToTheDocument() {
    Random rnd = new Random(7);
    String alphabet = "ab \n\u4e2d\ud83d\ude00";
    for (int trial = 0; trial < 200; trial++) {
      StringBuilder sb = new StringBuilder();
      int len = rnd.nextInt(2000);
      while (sb.length() < len) {
        int i = rnd.nextInt(alphabet.length() - 1);
        sb.append(alphabet.charAt(i) == '\ud83d' ? "\ud83d\ude00" : String.valueOf(alphabet.charAt(i)));
      }
      String text = sb.toString();
      List<String> pieces = new DocumentSplitter(50).split(text);
      assertEquals(text, String.join("", pieces));
      assertEquals(pieces.size(), new DocumentSplitter(50).count(text), "count agrees with split");
      for (String p : pieces) {
        assertTrue(p.length() <= 50, "piece longer than the limit: " + p.length());
        assertFalse(!p.isEmpty() && Character.isLowSurrogate(p.charAt(0)), "split a surrogate pair");
      }
    }
  }
}
