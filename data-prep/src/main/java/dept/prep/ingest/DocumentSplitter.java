package dept.prep.ingest;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a long document into consecutive pieces of at most {@code maxChars}, cutting after a
 * paragraph break, else a line break, else a space, in the second half of the window, and never
 * inside a surrogate pair. The pieces concatenate back to the document exactly.
 */
public final class DocumentSplitter {

  private final int maxChars;

  public DocumentSplitter(int maxChars) {
    if (maxChars < 2) {
      throw new IllegalArgumentException("maxChars must be >= 2, got " + maxChars);
    }
    this.maxChars = maxChars;
  }

  public List<String> split(String text) {
    List<String> pieces = new ArrayList<>();
    int start = 0;
    while (text.length() - start > maxChars) {
      int end = cut(text, start);
      pieces.add(text.substring(start, end));
      start = end;
    }
    pieces.add(text.substring(start));
    return pieces;
  }

  /** How many pieces {@link #split} makes of {@code text}, without making them. */
  public int count(String text) {
    int pieces = 1;
    for (int start = 0; text.length() - start > maxChars; start = cut(text, start)) {
      pieces++;
    }
    return pieces;
  }

  private int cut(String text, int start) {
    int limit = start + maxChars;
    int floor = start + maxChars / 2;
    for (String sep : new String[] {"\n\n", "\n", " "}) {
      int at = text.lastIndexOf(sep, limit - sep.length());
      if (at >= floor) {
        return at + sep.length();
      }
    }
    return Character.isLowSurrogate(text.charAt(limit)) ? limit - 1 : limit;
  }
}
