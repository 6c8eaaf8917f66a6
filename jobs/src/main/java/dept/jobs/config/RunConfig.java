package dept.jobs.config;

/**
 * Where a run writes and how it is seeded.
 *
 * @param name run name, used in report paths and the Spark app name
 * @param seed the one seed every stage derives its randomness from
 * @param output root of all datasets ({@code file:}, {@code hdfs://}, {@code s3a://} or a local
 *     path relative to the working directory)
 * @param data root of the data stages' datasets (documents, tokenizers, blocks, n-grams) when they
 *     live apart from {@code output}: several runs (a study's arms, seeds) train on one prepared
 *     corpus. Default: {@code output}.
 */
public record RunConfig(String name, Long seed, String output, String data) {

  public RunConfig {
    name = name == null ? "local" : name;
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
      throw new IllegalArgumentException("name must be letters, digits, '_', '.', '-', got '" + name + "'");
    }
    seed = seed == null ? 1234L : seed;
    output = output == null ? "out" : output;
    if (output.isBlank()) {
      throw new IllegalArgumentException("output must be a path, got an empty string");
    }
    data = data == null ? output : data;
    if (data.isBlank()) {
      throw new IllegalArgumentException("data must be a path, got an empty string");
    }
  }
}
