package dept.train.random;

import java.nio.charset.StandardCharsets;

/**
 * The one way a random stream's seed is made from the run's seed: {@code derive(runSeed, purpose,
 * parts...)}, e.g. {@code derive(seed, "task", source, replica)}. Different purposes or parts give
 * independent-looking streams (SplitMix64 finalisation over every input), the same inputs the same
 * stream on every machine and JVM (strings are hashed by their UTF-8 bytes, not
 * {@code String.hashCode}'s platform-independent but collision-prone sum).
 */
public final class Seeds {

  private Seeds() {}

  public static long derive(long runSeed, String purpose, Object... parts) {
    long h = mix(runSeed ^ 0x5DEECE66DL);
    h = mix(h ^ hash(purpose));
    for (Object p : parts) {
      h = mix(h ^ (p instanceof Number n ? mix(n.longValue()) : hash(String.valueOf(p))));
    }
    return h;
  }

  private static long hash(String s) {
    long h = 0xCBF29CE484222325L; // FNV-1a, then mixed
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001B3L;
    }
    return mix(h);
  }

  /** SplitMix64's finaliser. */
  private static long mix(long z) {
    z += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
