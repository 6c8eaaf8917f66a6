package dept.jobs.cli;

/** Where each dataset of a run lives under the configured output root (see DESIGN.md). */
public record OutputLayout(String root) {

  public OutputLayout {
    root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
  }

  public String documents() {
    return root + "/documents";
  }

  public String rejects() {
    return root + "/rejects";
  }

  public String sourceStats() {
    return root + "/source_stats";
  }

  /** The directory of every tokenizer.json: {@code tokenizers/<name>/tokenizer.json}. */
  public String tokenizers() {
    return root + "/tokenizers";
  }

  public String tokenizerJson(String name) {
    return tokenizers() + "/" + name + "/tokenizer.json";
  }

  public String vocab() {
    return root + "/vocab";
  }

  public String blocks() {
    return root + "/blocks";
  }

  public String tokenizeStats() {
    return root + "/tokenize_stats";
  }

  public String embeddingMemory() {
    return root + "/embedding_memory";
  }

  public String ngrams() {
    return root + "/ngrams";
  }

  public String fgrams() {
    return root + "/fgrams";
  }

  public String fgramCoverage() {
    return root + "/fgram_coverage";
  }

  /** A variant's directory name: lower case, {@code +} as {@code -} (SPEC+SCONE -> spec-scone), safe in any URL. */
  public static String dirName(String variant) {
    return variant.toLowerCase(java.util.Locale.ROOT).replace('+', '-');
  }

  /** Everything {@code dept train} writes for one variant: {@code train/<variant>/}. */
  public String train(String variant) {
    return root + "/train/" + dirName(variant);
  }

  public String trainCheckpoints(String variant) {
    return train(variant) + "/checkpoints";
  }

  /** The trained model (body, embeddings, model.json) that later stages read. */
  public String trainModel(String variant) {
    return train(variant) + "/model";
  }

  /** One row per task per round: loss, tokens, bytes up / down, wall time. */
  public String trainMetrics(String variant) {
    return train(variant) + "/metrics";
  }

  /** Per-source validation loss, perplexity and bits per byte, every E rounds. */
  public String trainValidation(String variant) {
    return train(variant) + "/validation";
  }

  /** Where each round's time went: broadcast, tasks, compute, aggregation, checkpoint, validation. */
  public String trainTimings(String variant) {
    return train(variant) + "/timings";
  }

  /** {@code scone/<variant>/}: what {@code dept scone-precompute} writes for a {@code +SCONE} variant. */
  public String scone(String variant) {
    return root + "/scone/" + dirName(variant);
  }

  /** Every f-gram's and token's input embedding, partitioned {@code table=<tokenizer>}. */
  public String fgramEmbeddings(String variant) {
    return scone(variant) + "/fgram_embeddings";
  }

  /** One tokenizer's lookup table. */
  public String fgramEmbeddings(String variant, String tokenizer) {
    return fgramEmbeddings(variant) + "/table=" + tokenizer;
  }

  /** Where the SCONE scaling sweep trains its runs. */
  public String sconeScalingRuns() {
    return root + "/scone/scaling";
  }

  /** Validation bits per byte as the f-gram count and the f-gram model grow. */
  public String sconeScaling() {
    return root + "/evaluation/scone_scaling";
  }

  /** SCONE at inference: the lookup table's size and its validation bits per byte next to the f-gram model's. */
  public String sconeLookup() {
    return root + "/evaluation/scone_lookup";
  }

  /** {@code extend/<base>-<new source>/}: what {@code dept extend} writes. */
  public String extension(String baseVariant, String newSource) {
    return root + "/extend/" + dirName(baseVariant) + "-" + newSource;
  }

  /** Per method and source: bits per byte before and after the extension. */
  public String extensionResults(String baseVariant, String newSource) {
    return extension(baseVariant, newSource) + "/results";
  }

  /** Per method, domain and layer: the adapters' gates and output sizes on old and new data. */
  public String extensionGates(String baseVariant, String newSource) {
    return extension(baseVariant, newSource) + "/gates";
  }

  /** The parameters each method added ({@code ext.*}), as named tensors. */
  public String extensionParams(String baseVariant, String newSource, String method) {
    return extension(baseVariant, newSource) + "/params/" + method + ".bin";
  }

  /** Replaced-token detection per run, source and exit threshold: accuracy, AUC, compute skipped. */
  public String earlyExit() {
    return root + "/evaluation/early_exit";
  }

  /** Where `dept early-exit` trains the generator alternatives. */
  public String rtdGeneratorRuns(String generator) {
    return root + "/rtd/generators/" + generator;
  }

  /** The variants side by side (Parquet; and comparison.md next to it). */
  public String comparison() {
    return root + "/evaluation/comparison";
  }

  /** Bits per byte per variant and source after the last round. */
  public String bitsPerByte() {
    return root + "/evaluation/bits_per_byte";
  }

  /** Every variant scored on a held-out corpus, per tokenizer ({@code dept evaluate --heldout}). */
  public String heldOut() {
    return root + "/evaluation/heldout";
  }

  public String comparisonMarkdown() {
    return root + "/evaluation/comparison.md";
  }

  /** {@code reports/<run>/}: report.md and its PNG charts. */
  public String report(String run) {
    return root + "/reports/" + run;
  }

  public String effectiveConfig(String stage) {
    return root + "/config/" + stage + ".yaml";
  }
}
