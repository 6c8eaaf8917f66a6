package dept.prep.tokenizer;

import java.util.Map;
import java.util.TreeMap;

/**
 * Settings of the vocab stage.
 *
 * @param vocabSize vocabulary size of each source's tokenizer (3 specials + 256 bytes + merges)
 * @param sourceVocabSizes per-source overrides of {@code vocabSize}
 * @param globalVocabSize vocabulary size of the global tokenizer (STD, GLOB, TRIM)
 * @param globalTemperature weights of the sources in the global tokenizer's word counts: each
 *     source's share is proportional to bytes^t (0 = uniform, 1 = proportional to size)
 * @param minPairCount a pair seen fewer times is never merged
 */
public record VocabConfig(
    Integer vocabSize,
    Map<String, Integer> sourceVocabSizes,
    Integer globalVocabSize,
    Double globalTemperature,
    Long minPairCount) {

  /** The name of the global tokenizer; no source may take it. */
  public static final String GLOBAL = "global";

  public VocabConfig {
    vocabSize = vocabSize == null ? 2048 : vocabSize;
    sourceVocabSizes = sourceVocabSizes == null ? Map.of() : Map.copyOf(new TreeMap<>(sourceVocabSizes));
    globalVocabSize = globalVocabSize == null ? 8192 : globalVocabSize;
    globalTemperature = globalTemperature == null ? 0.3 : globalTemperature;
    minPairCount = minPairCount == null ? 2L : minPairCount;
    int min = BpeModel.FIRST_MERGE_ID;
    if (vocabSize < min) {
      throw new IllegalArgumentException("vocab_size must be >= " + min + " (3 specials + 256 bytes), got " + vocabSize);
    }
    if (globalVocabSize < min) {
      throw new IllegalArgumentException("global_vocab_size must be >= " + min + ", got " + globalVocabSize);
    }
    sourceVocabSizes.forEach((s, v) -> {
      if (v == null || v < min) {
        throw new IllegalArgumentException("source_vocab_sizes." + s + " must be >= " + min + ", got " + v);
      }
    });
    if (!(globalTemperature >= 0 && globalTemperature <= 1)) {
      throw new IllegalArgumentException("global_temperature must be in [0, 1], got " + globalTemperature);
    }
    if (minPairCount < 1) {
      throw new IllegalArgumentException("min_pair_count must be >= 1, got " + minPairCount);
    }
  }

  public int vocabSizeOf(String source) {
    return sourceVocabSizes.getOrDefault(source, vocabSize);
  }
}
