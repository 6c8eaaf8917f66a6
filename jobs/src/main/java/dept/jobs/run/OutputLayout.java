package dept.jobs.run;

/**
 * Where each dataset of a run lives (see DESIGN.md): the data stages' datasets (ingest .. ngrams)
 * under {@code data}, everything trained and evaluated under {@code root}; the two are the same
 * directory unless {@code run.data} is set.
 */
public record OutputLayout(String root, String data) {

  public OutputLayout {
    root = trimmed(root);
    data = trimmed(data);
  }

  /** One root for everything. */
  public OutputLayout(String root) {
    this(root, root);
  }

  private static String trimmed(String path) {
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  public String documents() {
    return data + "/documents";
  }

  public String rejects() {
    return data + "/rejects";
  }

  public String sourceStats() {
    return data + "/source_stats";
  }

  /** The directory of every tokenizer.json: {@code tokenizers/<name>/tokenizer.json}. */
  public String tokenizers() {
    return data + "/tokenizers";
  }

  public String tokenizerJson(String name) {
    return tokenizers() + "/" + name + "/tokenizer.json";
  }

  public String vocab() {
    return data + "/vocab";
  }

  public String blocks() {
    return data + "/blocks";
  }

  public String tokenizeStats() {
    return data + "/tokenize_stats";
  }

  public String embeddingMemory() {
    return data + "/embedding_memory";
  }

  public String ngrams() {
    return data + "/ngrams";
  }

  public String fgrams() {
    return data + "/fgrams";
  }

  public String fgramCoverage() {
    return data + "/fgram_coverage";
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

  /** Each method's trained tensors, {@code <method>.bin} ({@code dept.train.extend.TrainedExtension}). */
  /** Every trial of {@code extend.sweep} (main trials included), per trial and source: {@code sweep/results}. */
  public String extensionSweepResults(String baseVariant, String newSource) {
    return extension(baseVariant, newSource) + "/sweep/results";
  }

  /** Every sweep trial's gates and adapter output per domain and layer: {@code sweep/gates}. */
  public String extensionSweepGates(String baseVariant, String newSource) {
    return extension(baseVariant, newSource) + "/sweep/gates";
  }

  public String extensionParamsDir(String baseVariant, String newSource) {
    return extension(baseVariant, newSource) + "/params";
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

  /** {@code study/}: what {@code dept study} writes (its arms' runs, results and report). */
  public String study() {
    return root + "/study";
  }

  /** One arm of the study with one seed: a complete run root ({@code train/}, {@code extend/}, ...) on the shared data. */
  public String studyRun(long seed, String arm) {
    return study() + "/seed-" + seed + "/" + arm;
  }

  /** The study's tables as Parquet: {@code study/results/{arms,sources,extension}}. */
  public String studyResults(String table) {
    return study() + "/results/" + table;
  }

  /** {@code study/report/}: report.md and its PNG charts. */
  public String studyReport() {
    return study() + "/report";
  }

  /** {@code reports/<run>/}: report.md and its PNG charts. */
  public String report(String run) {
    return root + "/reports/" + run;
  }

  public String effectiveConfig(String stage) {
    return root + "/config/" + stage + ".yaml";
  }
}
