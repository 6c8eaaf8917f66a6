package dept.jobs.bench;

import dept.train.model.ModelConfig;
import dept.train.params.ShardPlan;
import dept.train.rounds.RoundTraffic;
import dept.train.rounds.Variant;
import java.util.List;
import java.util.Locale;

/**
 * What one DEPT round moves and holds at the paper's model sizes, from the shapes alone
 * ({@link RoundTraffic}, the byte count of the run's metrics): GPT-2-like bodies of 125M, 350M and
 * 1.3B parameters, a 50,257-token global vocabulary, 1,024-token blocks, K sources per round.
 */
public final class TrafficTable {

  /** A body size: name, width, depth. */
  record Size(String name, int dModel, int layers) {}

  static final List<Size> SIZES = List.of(new Size("125M", 768, 12), new Size("350M", 1024, 24), new Size("1.3B", 2048, 24));

  private TrafficTable() {}

  public static String run(int sources, BenchSummary summary) {
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
        "%n== traffic: one round at K = %d sources, vocabulary 50,257, blocks of 1,024, shards of 64 MB ==%n", sources));
    out.append(String.format(Locale.ROOT, "%-6s %-5s %12s %10s %10s %14s %18s %12s %12s %7s%n", "body", "var", "body params",
        "down/task", "up/task", "driver gets", "(collect all K)", "driver holds", "task holds", "shards"));
    RoundTraffic largest = null;
    for (Size s : SIZES) {
      for (String v : List.of("SPEC", "GLOB", "TRIM")) {
        RoundTraffic t = RoundTraffic.of(Variant.parse(v), new ModelConfig(s.dModel(), s.layers(), Math.max(1, s.dModel() / 64), 4),
            1024, 50_257, sources, ShardPlan.DEFAULT_MAX_BYTES);
        out.append(String.format(Locale.ROOT, "%-6s %-5s %,12d %10s %10s %14s %18s %12s %12s %7d%n", s.name(), v, t.parameters(),
            RoundTraffic.human(t.down()), RoundTraffic.human(t.up()), RoundTraffic.human(t.driverReceived()),
            RoundTraffic.human(t.driverReceivedUnsharded()), RoundTraffic.human(t.driverHeld()), RoundTraffic.human(t.taskHeld()),
            t.shards()));
        if (v.equals("GLOB")) {
          largest = t;
        }
      }
    }
    out.append("driver gets: task result bytes per round (one mean, averaged on executors, plus K reports); collect all K: what\n"
        + "it was when the driver gathered every update. spark.driver.maxResultSize must cover 'driver gets' (dept train refuses\n"
        + "a smaller one); holds: tensors only (global, mean, new global on the driver; parameters, gradients, AdamW moments in a\n"
        + "task), activations not counted. TRIM's upload is its upper bound, the whole token table.\n");
    summary.add("traffic", "driver bytes per round, 1.3B GLOB, K = " + sources + " (sharded mean vs every update)",
        largest.driverReceived() / 1e6, "collect all K", largest.driverReceivedUnsharded() / 1e6, false);
    return out.toString();
  }
}
