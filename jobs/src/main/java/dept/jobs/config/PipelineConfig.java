package dept.jobs.config;

import dept.prep.ingest.IngestConfig;

/**
 * The whole configuration of a pipeline run, one section per concern; each stage's own settings
 * live in its module. Bound from YAML by {@link ConfigLoader}.
 */
public record PipelineConfig(RunConfig run, SparkSettings spark, IngestConfig ingest) {

  public PipelineConfig {
    run = run == null ? new RunConfig(null, null, null) : run;
    spark = spark == null ? new SparkSettings(null, null, null) : spark;
    if (ingest == null) {
      throw new IllegalArgumentException("ingest is required: it declares the data sources");
    }
  }
}
