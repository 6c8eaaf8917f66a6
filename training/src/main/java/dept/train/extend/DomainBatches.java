package dept.train.extend;

import dept.train.random.Seeds;
import dept.train.local.BlockBatches;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The extension's batch stream: each batch is drawn from the original sources with probability
 * {@code original_fraction} (a source chosen uniformly, so every original domain is rehearsed) or
 * else from the new source; a batch holds blocks of one source (one tokenizer) and carries its
 * domain. Seeded, so every method sees the same stream.
 */
final class DomainBatches {

  record Batch(String source, boolean original, int[][] blocks) {}

  private final Random draw;
  private final double originalFraction;
  private final String newSource;
  private final List<String> originals;
  private final Map<String, BlockBatches> bySource = new TreeMap<>();

  DomainBatches(ExtensionData data, double originalFraction, int batchSize, long seed) {
    this.draw = new Random(Seeds.derive(seed, "domain"));
    this.originalFraction = originalFraction;
    this.newSource = data.newSource();
    this.originals = new ArrayList<>();
    for (String s : data.originalTokenizers().keySet()) {
      List<int[]> blocks = data.train().get(s);
      if (blocks != null && !blocks.isEmpty()) {
        originals.add(s);
        bySource.put(s, new BlockBatches(blocks, batchSize, Seeds.derive(seed, "batches", s)));
      }
    }
    List<int[]> fresh = data.train().get(newSource);
    if (fresh == null || fresh.isEmpty()) {
      throw new IllegalArgumentException("the new source " + newSource + " has no train blocks");
    }
    bySource.put(newSource, new BlockBatches(fresh, batchSize, Seeds.derive(seed, "batches", newSource)));
  }

  Batch next() {
    boolean original = !originals.isEmpty() && draw.nextDouble() < originalFraction;
    String source = original ? originals.get(draw.nextInt(originals.size())) : newSource;
    return new Batch(source, original, bySource.get(source).next());
  }
}
