package dept.train.rounds;

import dept.train.params.NamedTensors;
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
    Map<String, byte[]> files = new TreeMap<>();
    files.put("body.bin", state.body.toBytes());
    if (state.embeddings != null) {
      files.put("embeddings.bin", state.embeddings.toBytes());
    }
    if (state.moments != null) {
      files.put("moments.bin", new SourceState(null, state.moments, 0).toBytes());
    }
    NamedTensors server = state.outer.serverState();
    if (!server.names().isEmpty()) {
      files.put("outer.bin", server.toBytes());
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
    s.body = NamedTensors.fromBytes(files.get("body.bin"));
    s.embeddings = files.containsKey("embeddings.bin") ? NamedTensors.fromBytes(files.get("embeddings.bin")) : null;
    s.moments = files.containsKey("moments.bin") ? SourceState.fromBytes(files.get("moments.bin")).optimizer() : null;
    s.outer = train.outer().create(files.containsKey("outer.bin") ? NamedTensors.fromBytes(files.get("outer.bin")) : null);
    s.log = RunLog.fromJson(files.get("log.json"));
    return Optional.of(s);
  }

  void clear() {
    store.clear();
  }
}
