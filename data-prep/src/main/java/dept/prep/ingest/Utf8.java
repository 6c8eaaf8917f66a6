package dept.prep.ingest;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 decoding and the byte checks that come before it. */
final class Utf8 {

  private Utf8() {}

  /** The text of {@code bytes[0, length)}, or null when they are not valid UTF-8. */
  static String decodeStrict(byte[] bytes, int length) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      return decoder.decode(ByteBuffer.wrap(bytes, 0, length)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /**
   * Whether {@code bytes[0, length)} are well-formed UTF-8, by the same rule as the strict decoder
   * ({@link #decodeStrict}; Unicode table 3-7: no overlong forms, surrogates or code points above
   * U+10FFFF, no cut sequence), without building the text.
   */
  static boolean isValid(byte[] bytes, int length) {
    int i = 0;
    while (i < length) {
      int b = bytes[i];
      if (b >= 0) { // ASCII
        i++;
        continue;
      }
      b &= 0xFF;
      int need;
      int min2 = 0x80;
      int max2 = 0xBF;
      if (b >= 0xC2 && b <= 0xDF) {
        need = 1;
      } else if (b >= 0xE0 && b <= 0xEF) {
        need = 2;
        if (b == 0xE0) {
          min2 = 0xA0; // overlong
        } else if (b == 0xED) {
          max2 = 0x9F; // surrogates
        }
      } else if (b >= 0xF0 && b <= 0xF4) {
        need = 3;
        if (b == 0xF0) {
          min2 = 0x90; // overlong
        } else if (b == 0xF4) {
          max2 = 0x8F; // above U+10FFFF
        }
      } else {
        return false;
      }
      if (i + need >= length) {
        return false; // cut short
      }
      int second = bytes[i + 1] & 0xFF;
      if (second < min2 || second > max2) {
        return false;
      }
      for (int k = 2; k <= need; k++) {
        int c = bytes[i + k] & 0xFF;
        if (c < 0x80 || c > 0xBF) {
          return false;
        }
      }
      i += need + 1;
    }
    return true;
  }

  /** A NUL byte does not occur in text in any encoding we accept: the record is binary. */
  static boolean hasNul(byte[] bytes, int length) {
    for (int i = 0; i < length; i++) {
      if (bytes[i] == 0) {
        return true;
      }
    }
    return false;
  }

  /** A readable prefix of possibly broken bytes, for the {@code raw} column of rejects. */
  static String preview(byte[] bytes, int length, int maxChars) {
    String s = new String(bytes, 0, Math.min(length, maxChars * 4), StandardCharsets.UTF_8);
    return truncate(s.replace('\0', '\uFFFD'), maxChars);
  }

  static String truncate(String s, int maxChars) {
    if (s.length() <= maxChars) {
      return s;
    }
    int end = Character.isLowSurrogate(s.charAt(maxChars)) ? maxChars - 1 : maxChars;
    return s.substring(0, end);
  }

  /** {@code s.getBytes(UTF_8).length} without encoding (an unpaired surrogate is one byte, '?', as there). */
  static long encodedLength(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        n += 1;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
