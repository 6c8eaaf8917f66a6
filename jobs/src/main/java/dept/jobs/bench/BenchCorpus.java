package dept.jobs.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** The bench corpus as the benchmarks' own readers see it: a jsonl file, gunzipped when it ends in .gz. */
public final class BenchCorpus {

  private BenchCorpus() {}

  public static InputStream open(Path corpus) throws IOException {
    InputStream raw = Files.newInputStream(corpus);
    return corpus.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
  }
}
