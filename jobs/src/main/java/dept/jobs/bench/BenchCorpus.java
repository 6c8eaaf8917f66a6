package dept.jobs.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

/**
 * The bench corpus as the benchmarks' own readers see it: a jsonl file, decompressed by its
 * extension (.gz by the JDK, .bz2 and the rest by Hadoop's codecs, as ingest reads them).
 */
public final class BenchCorpus {

  private BenchCorpus() {}

  public static InputStream open(Path corpus) throws IOException {
    InputStream raw = Files.newInputStream(corpus);
    if (corpus.toString().endsWith(".gz")) {
      return new GZIPInputStream(raw, 1 << 16);
    }
    CompressionCodec codec =
        new CompressionCodecFactory(new Configuration()).getCodec(new org.apache.hadoop.fs.Path(corpus.toString()));
    return codec == null ? raw : codec.createInputStream(raw);
  }
}
