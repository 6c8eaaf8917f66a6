package dept.prep.tokenizer;

/**
 * GPT-2's byte-to-character map, as HF tokenizers' ByteLevel uses it: every byte becomes one
 * printable character (printable Latin-1 bytes map to themselves, the rest to U+0100 onwards), so
 * a token of any bytes is a printable string and no text has an unknown token.
 */
public final class ByteLevel {

  private static final char[] BYTE_TO_CHAR = new char[256];
  private static final int[] CHAR_TO_BYTE = new int[512];

  static {
    java.util.Arrays.fill(CHAR_TO_BYTE, -1);
    int next = 256;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      char c = printable ? (char) b : (char) next++;
      BYTE_TO_CHAR[b] = c;
      CHAR_TO_BYTE[c] = b;
    }
  }

  private ByteLevel() {}

  /** The printable string of {@code bytes[from, to)}. */
  public static String toSymbols(byte[] bytes, int from, int to) {
    char[] out = new char[to - from];
    for (int i = from; i < to; i++) {
      out[i - from] = BYTE_TO_CHAR[bytes[i] & 0xFF];
    }
    return new String(out);
  }

  public static String toSymbols(byte[] bytes) {
    return toSymbols(bytes, 0, bytes.length);
  }

  /** The bytes a printable string stands for; throws if it holds a character outside the map. */
  public static byte[] toBytes(String symbols) {
    byte[] out = new byte[symbols.length()];
    for (int i = 0; i < out.length; i++) {
      char c = symbols.charAt(i);
      int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
      if (b < 0) {
        throw new IllegalArgumentException("not a byte-level symbol: U+" + Integer.toHexString(c) + " in '" + symbols + "'");
      }
      out[i] = (byte) b;
    }
    return out;
  }
}
