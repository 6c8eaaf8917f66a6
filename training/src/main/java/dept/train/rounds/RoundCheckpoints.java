package dept.train.rounds;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dept.train.local.AdamW;
import dept.train.params.NamedTensors;
import dept.train.params.ShardPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's state to and from the {@link CheckpointStore}: body, global input side, averaged
 * moments, the outer strategy's server state (whatever the strategy keeps), the run log, and the
 * settings the numbers depend on (a resume under other settings is refused).
 */
final class RoundCheckpoints {

  private static final Logger LOG = LoggerFactory.getLogger(RoundCheckpoints.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SHARDS = "shards.json";

  private final CheckpointStore store;
  private final String root;
  private final RunFingerprint fingerprint;
  private final TrainConfig train;

  RoundCheckpoints(CheckpointStore store, String root, RunFingerprint fingerprint, TrainConfig train) {
    this.store = store;
    this.root = root;
    this.fingerprint = fingerprint;
    this.train = train;
  }

  void write(Variant variant, DriverState state) {
    if (!state.body.allFinite() || (state.embeddings != null && !state.embeddings.allFinite())) {
      throw new IllegalStateException(variant + " round " + state.round + ": the aggregated model is not finite; "
          + "not writing a checkpoint (the previous one stays the newest)");
    }
    // Every tensor set in shards of the round's plan (no file, and no array, larger than a shard).
    ShardPlan plan = state.plan(train.shardBytes());
    Map<String, byte[]> files = new TreeMap<>();
    putShards(files, "body", plan, state.body);
    putShards(files, "embeddings", plan, state.embeddings);
    putShards(files, "moments/m", plan, state.moments == null ? null : state.moments.m());
    putShards(files, "moments/v", plan, state.moments == null ? null : state.moments.v());
    NamedTensors server = state.outer.serverState();
    putShards(files, "outer", plan, server.names().isEmpty() ? null : server);
    ObjectNode shards = JSON.createObjectNode().put("max_bytes", plan.maxBytes()).put("shards", plan.size())
        .put("moment_steps", state.moments == null ? 0 : state.moments.steps());
    ObjectNode layout = shards.putObject("layout");
    plan.layout().forEach((n, shape) -> {
      var dims = layout.putArray(n);
      for (long d : shape) {
        dims.add(d);
      }
    });
    try {
      files.put(SHARDS, JSON.writeValueAsBytes(shards));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    files.put("log.json", state.log.toJson());
    files.put("run.json", fingerprint.toJson());
    store.writeRound(state.round, files);
    // Keep this checkpoint and the one before (and the source states both need), so a torn
    // newest checkpoint still leaves one to resume from.
    store.prune(state.lastCheckpoint);
    state.lastCheckpoint = state.round;
  }

  /** The newest complete checkpoint's state, or empty when there is none. */
  Optional<DriverState> restore(Variant variant) {
    var latest = store.latestComplete();
    if (latest.isEmpty()) {
      LOG.info("{}: no complete checkpoint under {}; starting fresh", variant, root);
      return Optional.empty();
    }
    Map<String, byte[]> files = latest.get().files();
    RunFingerprint.fromJson(files.get("run.json")).requireSame(fingerprint, root);
    DriverState s = new DriverState();
    s.round = latest.get().round();
    s.lastCheckpoint = s.round;
    if (files.containsKey("body.bin")) { // a checkpoint written before tensors were sharded
      s.body = NamedTensors.fromBytes(files.get("body.bin"));
      s.embeddings = files.containsKey("embeddings.bin") ? NamedTensors.fromBytes(files.get("embeddings.bin")) : null;
      s.moments = files.containsKey("moments.bin") ? SourceState.fromBytes(files.get("moments.bin")).optimizer() : null;
      s.outer = train.outer().create(files.containsKey("outer.bin") ? NamedTensors.fromBytes(files.get("outer.bin")) : null);
    } else {
      JsonNode shards = readJson(files.get(SHARDS));
      Map<String, long[]> layout = new TreeMap<>();
      shards.path("layout").fields().forEachRemaining(e -> {
        long[] shape = new long[e.getValue().size()];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = e.getValue().get(i).asLong();
        }
        layout.put(e.getKey(), shape);
      });
      ShardPlan plan = ShardPlan.of(layout, shards.path("max_bytes").asLong());
      s.body = shards(files, "body", plan);
      s.embeddings = shards(files, "embeddings", plan);
      NamedTensors m = shards(files, "moments/m", plan);
      s.moments = m == null ? null : new AdamW.State(m, shards(files, "moments/v", plan), shards.path("moment_steps").asLong());
      s.outer = train.outer().create(shards(files, "outer", plan));
    }
    s.log = RunLog.fromJson(files.get("log.json"));
    return Optional.of(s);
  }

  private static void putShards(Map<String, byte[]> files, String set, ShardPlan plan, NamedTensors tensors) {
    if (tensors == null) {
      return;
    }
    List<byte[]> shards = plan.toBytes(tensors);
    for (int i = 0; i < shards.size(); i++) {
      files.put(shardFile(set, i), shards.get(i));
    }
  }

  private static String shardFile(String set, int shard) {
    return String.format(java.util.Locale.ROOT, "%s/shard-%05d.bin", set, shard);
  }

  /** A set's tensors joined from its shard files; null when the checkpoint has none of it. */
  private static NamedTensors shards(Map<String, byte[]> files, String set, ShardPlan plan) {
    List<byte[]> parts = new ArrayList<>();
    for (int i = 0; i < plan.size(); i++) {
      parts.add(files.get(shardFile(set, i)));
    }
    return parts.stream().allMatch(java.util.Objects::isNull) ? null : plan.fromBytes(parts);
  }

  private static JsonNode readJson(byte[] bytes) {
    try {
      return JSON.readTree(bytes);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("a checkpoint's " + SHARDS + " is not JSON", e);
    }
  }

  void clear() {
    store.clear();
  }
}
