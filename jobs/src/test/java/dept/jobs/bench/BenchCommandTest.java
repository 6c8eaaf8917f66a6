package dept.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.jobs.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `dept bench` on the embedded sample, small sizes: each benchmark's figures reach the one summary table. */
class BenchCommandTest {

  @TempDir Path dir;

  @Test
  void summaryTableHoldsEveryFigureWithItsPeerAndRatio() throws Exception {
    Path summary = dir.resolve("bench.md");
    CliRun.Result r = CliRun.run(CliRun.onSample("bench", dir.resolve("out"), "parallelism", "ngrams", "traffic",
        "--input", "../data-prep/sample/sample.jsonl", "--parallel-mb", "1", "--repeats", "1", "--ngram-mb", "1", "--summary", summary.toString()));
    assertEquals(0, r.exit(), r.err() + r.out());
    String table = Files.readString(summary);
    assertTrue(r.out().contains(table.strip()), "the summary is printed too");
    for (String row : List.of("| parallelism | ingest MB/s on local[2] |", "| parallelism | vocab word counts MB/s on local[2] |",
        "| parallelism | tokenize MB/s on local[2] |", "| parallelism | ngrams MB/s on local[2] |", "| the same job on local[1] |",
        "| ngrams | n-gram counting, n = 2..4, tokens/s at 1x", "| ngrams | n-gram counting, n = 2..4, tokens/s at 4x",
        "| MLlib NGram + CountVectorizer |", "| ngrams | f-gram matcher, M positions/s, 1 thread |",
        "| traffic | driver bytes per round, 1.3B GLOB, K = 8 (sharded mean vs every update) | 5,255 | collect all K | 42,036 | 8.00x |")) {
      assertTrue(table.contains(row), row + " in\n" + table);
    }
    // every row with a peer has a ratio: "| 1.23x |" at the end
    long withPeer = table.lines().filter(l -> l.contains("MLlib") || l.contains("local[1]") || l.contains("collect all K")).count();
    long withRatio = table.lines().filter(l -> l.matches(".*\\| \\d+\\.\\d\\dx \\|$")).count();
    assertEquals(withPeer, withRatio, table);
    assertTrue(r.out().contains("1.3B   SPEC  1,208,602,624"), "the traffic table sizes a 1.3B body: " + r.out());
    assertTrue(r.out().contains("ceiling   task time"), "the parallelism table says what bounds each stage: " + r.out());
  }

  @Test
  void ratiosFavourDeptAboveOne() {
    BenchSummary s = new BenchSummary();
    s.add("b", "time s", 2.0, "peer", 4.0, false);
    s.add("b", "MB/s", 3.0, "peer", 1.5, true);
    s.add("b", "scaling at 2x", 1.0, "");
    s.skipped("rounds", "needs a pipeline run");
    assertEquals(2.0, s.rows().get(0).ratio(), 1e-12);
    assertEquals(2.0, s.rows().get(1).ratio(), 1e-12);
    assertTrue(Double.isNaN(s.rows().get(2).ratio()));
    assertTrue(s.markdown().contains("| rounds | skipped: needs a pipeline run |"), s.markdown());
  }
}
