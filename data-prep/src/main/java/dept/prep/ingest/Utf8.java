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
