package dept.prep.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into words before BPE, the same way HF tokenizers' {@code Split} pre-tokenizer
 * (behaviour {@code Isolated}) does with the same pattern: every match is a word and so is every
 * gap between matches. The pattern is kept in Oniguruma syntax (what HF runs) and translated for
 * java.util.regex, whose script classes are spelt {@code \p{IsHan}} and whose {@code \s} is
 * Unicode-aware only with {@link Pattern#UNICODE_CHARACTER_CLASS}.
 */
public final class PreTokenizer {

  /**
   * English contractions; runs of Han, of hiragana, of katakana; runs of other letters and marks (so
   * combining marks stay with their letters); numbers of 1-3 digits; runs of punctuation and
   * symbols; each with an optional leading space. Whitespace runs stay tokens (code indentation),
   * leaving their last space to the next word.
   */
  public static final String DEFAULT_PATTERN =
      "'(?:s|t|re|ve|m|ll|d)"
          + "| ?\\p{Han}+"
          + "| ?\\p{Hiragana}+"
          + "| ?[\\p{Katakana}ー]+"
          + "| ?[^\\s\\p{N}\\p{P}\\p{S}\\p{Cc}\\p{Han}\\p{Hiragana}\\p{Katakana}ー]+"
          + "| ?\\p{N}{1,3}"
          + "| ?[^\\s\\p{L}\\p{M}\\p{N}]+"
          + "|\\s+(?!\\S)"
          + "|\\s+";

  private final String pattern;
  private final Pattern compiled;

  public PreTokenizer(String pattern) {
    this.pattern = pattern;
    this.compiled = Pattern.compile(toJava(pattern), Pattern.UNICODE_CHARACTER_CLASS);
  }

  public static PreTokenizer standard() {
    return new PreTokenizer(DEFAULT_PATTERN);
  }

  /** The pattern in Oniguruma syntax, as written to tokenizer.json. */
  public String pattern() {
    return pattern;
  }

  static String toJava(String oniguruma) {
    return oniguruma
        .replace("\\p{Han}", "\\p{IsHan}")
        .replace("\\p{Hiragana}", "\\p{IsHiragana}")
        .replace("\\p{Katakana}", "\\p{IsKatakana}");
  }

  /** The words of {@code text}, in order; they concatenate back to it. */
  public List<String> split(String text) {
    List<String> words = new ArrayList<>();
    split(text, words);
    return words;
  }

  public void split(String text, List<String> out) {
    Matcher m = compiled.matcher(text);
    int last = 0;
    while (m.find()) {
      if (m.start() > last) {
        out.add(text.substring(last, m.start()));
      }
      if (m.end() > m.start()) {
        out.add(text.substring(m.start(), m.end()));
      }
      last = m.end();
    }
    if (last < text.length()) {
      out.add(text.substring(last));
    }
  }
}
