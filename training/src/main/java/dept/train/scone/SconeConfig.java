package dept.train.scone;

import com.fasterxml.jackson.annotation.JsonProperty;

import dept.train.model.ModelConfig;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code train.scone:} section: how the {@code +SCONE} variants (e.g. {@code SPEC+SCONE})
 * embed their inputs. The f-gram model is the main model's block design at its own size; a size
 * left out takes the main model's.
 *
 * @param mode {@code replace} (the paper: the f-gram embedding stands in for the token's) or
 *     {@code add} (token embedding + f-gram embedding)
 * @param fgrams f-grams used per set, the most frequent first (0 = all the ngrams stage kept);
 *     the paper's "number of f-grams" scaling knob
 * @param maxN longest f-gram used (the f-gram model's position count)
 * @param layers f-gram model depth (the paper's "f-gram model size" knob)
 * @param dModel f-gram model width (null: the main model's); other widths are projected in and out
 * @param heads f-gram model heads (null: the main model's)
 * @param mlpRatio f-gram model MLP ratio (null: the main model's)
 * @param precomputeBatch f-grams per forward pass in {@code dept scone-precompute}
 * @param scaling the settings {@code dept scone-scaling} sweeps
 * @param finalNorm the f-gram model ends with its own final LayerNorm, as the main model does (the
 *     paper: "we replicate the baseline model architecture but remove the token embedding layer")
 */
public record SconeConfig(Mode mode, Integer fgrams, Integer maxN, Integer layers, Integer dModel, Integer heads,
    Integer mlpRatio, Integer precomputeBatch, Scaling scaling, Boolean finalNorm) implements Serializable {

  /**
   * The sweep of SCONE's two scaling knobs, one at a time from this config's setting.
   *
   * @param fgrams f-gram counts to train with (0 = all)
   * @param layers f-gram model depths to train with
   */
  public record Scaling(List<Integer> fgrams, List<Integer> layers) implements Serializable {
    public Scaling {
      fgrams = fgrams == null ? List.of() : List.copyOf(fgrams);
      layers = layers == null ? List.of() : List.copyOf(layers);
      if (fgrams.stream().anyMatch(k -> k == null || k < 0) || layers.stream().anyMatch(l -> l == null || l < 1)) {
        throw new IllegalArgumentException("train.scone.scaling: fgrams must be >= 0 and layers >= 1, got " + fgrams + ", " + layers);
      }
    }
  }

  /** How an f-gram embedding enters the main model. */
  public enum Mode {
    /** The paper: the f-gram embedding stands in for the token's. */
    @JsonProperty("replace") REPLACE,
    /** Added to the token's embedding. */
    @JsonProperty("add") ADD
  }

  public static final String SUFFIX = "+SCONE";

  public SconeConfig {
    mode = mode == null ? Mode.REPLACE : mode;
    fgrams = fgrams == null ? 0 : fgrams;
    maxN = maxN == null ? 4 : maxN;
    layers = layers == null ? 1 : layers;
    precomputeBatch = precomputeBatch == null ? 1024 : precomputeBatch;
    scaling = scaling == null ? new Scaling(null, null) : scaling;
    finalNorm = finalNorm == null || finalNorm;
    if (fgrams < 0 || maxN < 2 || layers < 1 || precomputeBatch < 1) {
      throw new IllegalArgumentException("train.scone: fgrams must be >= 0, max_n >= 2, layers and precompute_batch >= 1");
    }
    if ((dModel != null && dModel < 1) || (heads != null && heads < 1) || (mlpRatio != null && mlpRatio < 1)) {
      throw new IllegalArgumentException("train.scone: d_model, heads and mlp_ratio must be >= 1 when set");
    }
  }

  public static SconeConfig defaults() {
    return new SconeConfig(null, null, null, null, null, null, null, null, null, null);
  }

  public boolean additive() {
    return mode == Mode.ADD;
  }

  /** The f-gram model's sizes given the main model's. */
  public ModelConfig fgramModel(ModelConfig main) {
    return new ModelConfig(dModel == null ? main.dModel() : dModel, layers, heads == null ? main.heads() : heads,
        mlpRatio == null ? main.mlpRatio() : mlpRatio);
  }

  /** The f-grams this config uses from a set listed by id (most frequent first): length <= max_n, the first {@code fgrams}. */
  public List<int[]> usable(List<int[]> set) {
    List<int[]> out = new ArrayList<>();
    for (int[] f : set) {
      if (fgrams > 0 && out.size() == fgrams) {
        break;
      }
      if (f.length <= maxN) {
        out.add(f);
      }
    }
    return out;
  }

  public SconeConfig withFgrams(int count) {
    return new SconeConfig(mode, count, maxN, layers, dModel, heads, mlpRatio, precomputeBatch, scaling, finalNorm);
  }

  public SconeConfig withLayers(int depth) {
    return new SconeConfig(mode, fgrams, maxN, depth, dModel, heads, mlpRatio, precomputeBatch, scaling, finalNorm);
  }
}
