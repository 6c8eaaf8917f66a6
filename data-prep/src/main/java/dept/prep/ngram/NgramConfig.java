package dept.prep.ngram;

import java.util.List;

/**
 * Settings of the ngrams stage (SCONE's f-grams).
 *
 * @param maxN longest n-gram counted (n = 2..max_n); SCONE's gains plateau near 4
 * @param minCount an n-gram seen fewer times in a source's train blocks is dropped
 * @param topK f-grams kept per set (each source's own tokenizer, and the global one)
 * @param coverageK f-gram set sizes for the coverage table
 */
public record NgramConfig(Integer maxN, Long minCount, Integer topK, List<Integer> coverageK) {

  public NgramConfig {
    maxN = maxN == null ? 4 : maxN;
    minCount = minCount == null ? 2L : minCount;
    topK = topK == null ? 100_000 : topK;
    coverageK = coverageK == null ? List.of(1_000, 10_000, 100_000) : List.copyOf(coverageK);
    if (maxN < 2 || maxN > 8) {
      throw new IllegalArgumentException("max_n must be in [2, 8], got " + maxN);
    }
    if (minCount < 1 || topK < 1) {
      throw new IllegalArgumentException("min_count and top_k must be >= 1, got " + minCount + ", " + topK);
    }
    if (coverageK.isEmpty() || coverageK.stream().anyMatch(k -> k == null || k < 1)) {
      throw new IllegalArgumentException("coverage_k must list sizes >= 1, got " + coverageK);
    }
  }

  public static NgramConfig defaults() {
    return new NgramConfig(null, null, null, null);
  }
}
