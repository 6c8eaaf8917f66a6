package dept.prep.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of a normalised document. Its hex prefix is the document id and the de-duplication key;
 * its first 64 bits pick the split, so a document's split never depends on the other documents.
 */
public final class ContentHash {

  private ContentHash() {}

  /** 32 hex characters (128 bits) of SHA-256 over the UTF-8 text. */
  public static String of(String text) {
    return HexFormat.of().formatHex(sha256(text), 0, 16);
  }

  /** True when the document with this hash belongs to the validation split. */
  public static boolean isValidation(String hash, double valFraction) {
    long top = HexFormat.fromHexDigitsToLong(hash.substring(0, 13)); // 52 bits, exact in a double
    return top / (double) (1L << 52) < valFraction;
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
    }
  }
}
