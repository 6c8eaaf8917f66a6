package dept.train.extend;

import dept.train.model.GatedAdapter;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * The {@code extend:} section: how {@code dept extend} grows a trained model to a new source
 * (neutral residues, arXiv 2410.02744) and which baselines it runs next to it.
 *
 * @param baseVariant the trained variant to extend ({@code --base-run}): {@code train/<variant>/model}
 * @param newSource the source to add ({@code --new-source}); keep it out of training with {@code train.held_out}
 * @param methods any of neutral (gated, penalised adapters), adapter (plain), lora, finetune
 * @param steps optimiser steps per method
 * @param originalFraction share of batches from the original sources (the rest are the new source's; 1: rehearsal only)
 * @param alpha weight of the adapters' mean L1 output (divided by d) on original-domain batches
 * @param gate relu (the paper) or elu
 * @param adapterRatio adapter (and LoRA) parameters as a fraction of the body's
 * @param tokenizer own (the new source's own tokenizer and fresh embeddings, as SPEC) or global
 *     (the base model's global tokenizer and embeddings)
 * @param lr peak learning rate of every method (AdamW, warm-up then cosine)
 * @param batchSize blocks per batch (null: train.optim.batch_size)
 * @param evalBlocks validation blocks per source for the before/after figures (0 = all)
 * @param seed batch order, domain draws, initialisation
 * @param sweep trials next to each method's main one (learning rates, alphas, data mixes); none by default
 */
public record ExtendConfig(String baseVariant, String newSource, List<String> methods, Integer steps, Double originalFraction,
    Double alpha, GatedAdapter.Gate gate, Double adapterRatio, NewTokenizer tokenizer, Double lr, Integer batchSize, Integer evalBlocks, Long seed,
    ExtensionSweep sweep) implements Serializable {

  /**
   * The sparsity weight: 1, not the paper's 0.01. At this project's scale (d 64-128, 100-150 steps)
   * 0.01 leaves the adapters' output on original data where alpha 0 leaves it (0.081 vs 0.083 per
   * token / d on English, 0.23 on Greek); alpha 1 brings it to a fifth or less of the new domain's on
   * each of 3 seeds (README, "Extension to a new source"; NeutralResiduesTest).
   */
  public static final double DEFAULT_ALPHA = 1.0;

  /** Which tokenizer the new source is read with. */
  public enum NewTokenizer {
    /** Its own, with fresh embeddings. */
    @JsonProperty("own") OWN,
    /** The base model's global one (its rows). */
    @JsonProperty("global") GLOBAL
  }

  public ExtendConfig {
    baseVariant = baseVariant == null ? "SPEC" : baseVariant.toUpperCase(Locale.ROOT);
    methods = methods == null ? List.of("neutral", "adapter", "lora", "finetune", "embeddings")
        : methods.stream().map(m -> m.toLowerCase(Locale.ROOT)).toList();
    methods.forEach(ExtensionMethod::of);
    steps = steps == null ? 200 : steps;
    originalFraction = originalFraction == null ? 0.1 : originalFraction;
    alpha = alpha == null ? DEFAULT_ALPHA : alpha;
    gate = gate == null ? GatedAdapter.Gate.RELU : gate;
    adapterRatio = adapterRatio == null ? 0.2 : adapterRatio;
    tokenizer = tokenizer == null ? NewTokenizer.OWN : tokenizer;
    lr = lr == null ? 1e-3 : lr;
    evalBlocks = evalBlocks == null ? 0 : evalBlocks;
    seed = seed == null ? 1234L : seed;
    sweep = sweep == null ? ExtensionSweep.NONE : sweep;
    if (steps < 1 || originalFraction < 0 || originalFraction > 1 || alpha < 0 || adapterRatio <= 0 || lr <= 0 || evalBlocks < 0) {
      throw new IllegalArgumentException("extend: steps >= 1, original_fraction in [0, 1], alpha >= 0, adapter_ratio > 0, "
          + "lr > 0 and eval_blocks >= 0 are required");
    }
    if (batchSize != null && batchSize < 1) {
      throw new IllegalArgumentException("extend.batch_size must be >= 1, got " + batchSize);
    }
  }

  public static ExtendConfig defaults() {
    return new ExtendConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  /** A copy for another base run and new source (the command's --base-run / --new-source). */
  public ExtendConfig with(String base, String source) {
    return new ExtendConfig(base == null ? baseVariant : base, source == null ? newSource : source, methods, steps, originalFraction,
        alpha, gate, adapterRatio, tokenizer, lr, batchSize, evalBlocks, seed, sweep);
  }

  /** A copy at another learning rate, sparsity weight and data mix (one {@link ExtensionTrial}'s). */
  public ExtendConfig at(double lr, double alpha, double originalFraction) {
    return new ExtendConfig(baseVariant, newSource, methods, steps, originalFraction, alpha, gate, adapterRatio, tokenizer, lr, batchSize,
        evalBlocks, seed, sweep);
  }

  /**
   * Every trial to run: each method's main one (this config's lr, alpha and data mix), then the
   * sweep's: every swept method at each of its lrs, neutral at each alpha, every swept method at each data mix;
   * a trial equal to one already listed is not repeated.
   */
  public List<ExtensionTrial> trials() {
    java.util.LinkedHashMap<String, ExtensionTrial> out = new java.util.LinkedHashMap<>();
    methods.stream().map(ExtensionMethod::of).forEach(m -> out.put(m.label(), new ExtensionTrial(m, lr, alpha, originalFraction, true)));
    List<ExtensionMethod> all = sweep.methodsAmong(methods);
    java.util.function.Consumer<ExtensionTrial> add = t -> {
      boolean duplicate = out.values().stream()
          .anyMatch(o -> o.method() == t.method() && o.lr() == t.lr() && o.alpha() == t.alpha() && o.originalFraction() == t.originalFraction());
      if (!duplicate) {
        out.put(t.label(), t);
      }
    };
    for (double l : sweep.lrs()) {
      all.forEach(m -> add.accept(new ExtensionTrial(m, l, alpha, originalFraction, false)));
    }
    if (all.contains(ExtensionMethod.NEUTRAL)) {
      sweep.alphas().forEach(a -> add.accept(new ExtensionTrial(ExtensionMethod.NEUTRAL, lr, a, originalFraction, false)));
    }
    for (double f : sweep.originalFractions()) {
      all.forEach(m -> add.accept(new ExtensionTrial(m, lr, alpha, f, false)));
    }
    return List.copyOf(out.values());
  }

  public boolean ownTokenizer() {
    return tokenizer == NewTokenizer.OWN;
  }
}
