package dept.jobs.config;

import dept.prep.ingest.IngestConfig;
import dept.prep.ngram.NgramConfig;
import dept.prep.pack.TokenizeConfig;
import dept.prep.tokenizer.VocabConfig;
import dept.train.rounds.TrainConfig;
import dept.train.extend.ExtendConfig;
import dept.train.model.ModelConfig;

/**
 * The whole configuration of a pipeline run, one section per concern; each stage's own settings
 * live in its module. Bound from YAML by {@link ConfigLoader}.
 */
public record PipelineConfig(
    RunConfig run,
    SparkSettings spark,
    IngestConfig ingest,
    VocabConfig vocab,
    TokenizeConfig tokenize,
    NgramConfig ngrams,
    ModelConfig model,
    TrainConfig train,
    ExtendConfig extend,
    StudyConfig study) {

  public PipelineConfig {
    run = run == null ? new RunConfig(null, null, null, null) : run;
    spark = spark == null ? new SparkSettings(null, null, null) : spark;
    if (ingest == null) {
      throw new IllegalArgumentException("ingest is required: it declares the data sources");
    }
    vocab = vocab == null ? new VocabConfig(null, null, null, null, null) : vocab;
    tokenize = tokenize == null ? new TokenizeConfig(null, null, null) : tokenize;
    ngrams = ngrams == null ? NgramConfig.defaults() : ngrams;
    model = model == null ? ModelConfig.defaults() : model;
    train = train == null ? TrainConfig.defaults() : train;
    extend = extend == null ? ExtendConfig.defaults() : extend;
    study = study == null ? StudyConfig.defaults() : study;
    String added = extend.newSource();
    if (added != null && ingest.sources().stream().noneMatch(src -> src.name().equals(added))) {
      throw new IllegalArgumentException("extend.new_source '" + added + "' is not one of ingest.sources");
    }
    for (String s : vocab.sourceVocabSizes().keySet()) {
      if (ingest.sources().stream().noneMatch(src -> src.name().equals(s))) {
        throw new IllegalArgumentException("vocab.source_vocab_sizes names '" + s + "', which is not a source");
      }
    }
    if (ingest.sources().stream().anyMatch(src -> src.name().equals(VocabConfig.GLOBAL))) {
      throw new IllegalArgumentException("ingest.sources: '" + VocabConfig.GLOBAL + "' is reserved for the global tokenizer");
    }
  }
}
