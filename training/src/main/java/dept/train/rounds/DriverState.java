package dept.train.rounds;

import dept.train.federated.AggregationStrategy;
import dept.train.local.AdamW;
import dept.train.model.DecoderLm;
import dept.train.params.NamedTensors;
import dept.train.params.ShardPlan;

/** What the driver holds between rounds: exactly what a checkpoint saves. */
final class DriverState {
  int round;
  NamedTensors body;
  /** The global input side (token and position rows, f-gram model, generator); null for SPEC. */
  NamedTensors embeddings;
  /** Averaged moments of the shared tensors (inner state AVERAGE), else null. */
  AdamW.State moments;
  AggregationStrategy outer;
  int lastCheckpoint;
  RunLog log = new RunLog();

  /** Every tensor the driver holds for the sources: the body and the global input side. */
  NamedTensors global() {
    return embeddings == null ? body : body.with(embeddings);
  }

  /** How the global tensors (and their moments, uploads and checkpoints) are cut into shards. */
  ShardPlan plan(long maxBytes) {
    return ShardPlan.of(global(), maxBytes);
  }

  /** Takes the new values of some global tensors (what a round aggregated). */
  void update(NamedTensors merged) {
    body = body.with(merged.select(n -> n.startsWith(DecoderLm.BODY)));
    if (embeddings != null) {
      embeddings = embeddings.with(merged.select(n -> !n.startsWith(DecoderLm.BODY)));
    }
  }
}
