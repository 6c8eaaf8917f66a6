package dept.train.extend;

import java.util.Locale;

/** How a method extends the base model: which parameters it adds or frees, and whether it is penalised on old data. */
public enum ExtensionMethod {
  /** Gated GLU adapters in parallel with each MLP, L1 on their output on original-domain batches; base frozen. */
  NEUTRAL,
  /** The same adapters without gate or penalty; base frozen. */
  ADAPTER,
  /** Low-rank updates of the attention and MLP projections at the adapters' parameter budget; base frozen. */
  LORA,
  /** Every body parameter trains (the new source's embeddings too). */
  FINETUNE,
  /** Only the new source's embeddings train; nothing is added (how much do the fresh rows learn alone?). */
  EMBEDDINGS;

  public static ExtensionMethod of(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("extend.methods: '" + name + "' is not one of neutral, adapter, lora, finetune, embeddings");
    }
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean trainsBody() {
    return this == FINETUNE;
  }

  public boolean gated() {
    return this == NEUTRAL;
  }

  public boolean penalised() {
    return this == NEUTRAL;
  }

  /** Whether the new source's embedding rows train even when they are the base's (the global tokenizer's). */
  public boolean trainsSharedRows() {
    return this == FINETUNE || this == EMBEDDINGS;
  }

  public boolean adapters() {
    return this == NEUTRAL || this == ADAPTER;
  }
}
