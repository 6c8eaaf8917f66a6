package dept.jobs.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options every stage command shares. */
public final class ConfigOptions {

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "YAML config (default: the embedded conf/local.yaml: the bundled sample corpus, outputs under ./out)")
  Path config;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Override one config value, e.g. --set ingest.val_fraction=0.1 or --set 'ingest.sources[0].inputs=[a.jsonl]'; repeatable")
  List<String> overrides = new ArrayList<>();
}
