package dept.train.rtd;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * The {@code train.rtd:} section: ELECTRA's replaced-token detection (arXiv 2003.10555, with the
 * early-exit study of arXiv 2110.06620) for the {@code +RTD} variants.
 *
 * @param generator mlm (a small masked-LM generator sharing the token embeddings), unigram
 *     (replacements drawn from the source's unigram distribution) or uniform ({@code none}: any token)
 * @param maskProb share of positions masked and replaced
 * @param generatorWidth the generator's width as a fraction of d_model
 * @param generatorLayers the generator's depth
 * @param lambda weight of the discriminator loss (ELECTRA: 50)
 * @param thresholds exit confidences evaluated; a token exits at the first layer whose head is
 *     more confident than the threshold (1.0: never)
 * @param trainThreshold the exit threshold used while training (1.0: every token runs every layer)
 * @param compareGenerators other generators {@code dept early-exit} trains for comparison
 */
public record RtdConfig(Generator generator, Double maskProb, Double generatorWidth, Integer generatorLayers, Double lambda,
    List<Double> thresholds, Double trainThreshold, List<Generator> compareGenerators) implements Serializable {

  public static final String SUFFIX = "+RTD";

  /** Where the replacements come from. */
  public enum Generator {
    /** A small masked-LM generator sharing the token embeddings (ELECTRA). */
    @JsonProperty("mlm") MLM,
    /** Replacements drawn from the source's unigram distribution. */
    @JsonProperty("unigram") UNIGRAM,
    /** Any token, uniformly ({@code none}: no generator). */
    @JsonProperty("uniform") @JsonAlias("none") UNIFORM;

    /** The name config files and output paths use. */
    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public RtdConfig {
    generator = generator == null ? Generator.MLM : generator;
    maskProb = maskProb == null ? 0.15 : maskProb;
    generatorWidth = generatorWidth == null ? 0.25 : generatorWidth;
    generatorLayers = generatorLayers == null ? 1 : generatorLayers;
    lambda = lambda == null ? 50.0 : lambda;
    thresholds = thresholds == null ? List.of(1.0, 0.999, 0.99, 0.95, 0.9, 0.8, 0.7) : List.copyOf(thresholds);
    trainThreshold = trainThreshold == null ? 1.0 : trainThreshold;
    compareGenerators = compareGenerators == null ? List.of() : List.copyOf(compareGenerators);
    if (!(maskProb > 0 && maskProb < 1) || !(generatorWidth > 0 && generatorWidth <= 1) || generatorLayers < 1 || lambda < 0) {
      throw new IllegalArgumentException("train.rtd: mask_prob in (0, 1), generator_width in (0, 1], generator_layers >= 1, lambda >= 0");
    }
    if (thresholds.stream().anyMatch(t -> t == null || t < 0.5 || t > 1) || trainThreshold < 0.5 || trainThreshold > 1) {
      throw new IllegalArgumentException("train.rtd: thresholds and train_threshold must be in [0.5, 1], got " + thresholds + ", " + trainThreshold);
    }
  }

  public static RtdConfig defaults() {
    return new RtdConfig(null, null, null, null, null, null, null, null);
  }

  public RtdConfig withGenerator(Generator g) {
    return new RtdConfig(g, maskProb, generatorWidth, generatorLayers, lambda, thresholds, trainThreshold, compareGenerators);
  }
}
