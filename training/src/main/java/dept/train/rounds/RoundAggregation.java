package dept.train.rounds;

import dept.train.federated.ClientUpdate;
import dept.train.local.AdamW;
import dept.train.params.NamedTensors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's step after a round's tasks: the diverged ones are the round's failures (left out,
 * reported to the strategy), the others' uploads go through the outer strategy (TRIM's token rows
 * included, row by row), and under inner state AVERAGE their shared moments are averaged.
 */
final class RoundAggregation {

  private static final Logger LOG = LoggerFactory.getLogger(RoundAggregation.class);

  private RoundAggregation() {}

  static void apply(Variant variant, TrainConfig train, int round, DriverState state, List<SourceTask.Result> all) {
    List<SourceTask.Result> results = all.stream().filter(r -> !r.diverged()).toList();
    all.stream().filter(SourceTask.Result::diverged).forEach(r -> LOG.warn("{} round {}: {}#{} diverged (non-finite "
        + "parameters, or loss {} > max_loss_ratio x its first); its update is left out and its state kept",
        variant, round, r.source(), r.replica(), r.lastLoss()));
    int failures = all.size() - results.size();
    if (results.isEmpty()) {
      state.outer.aggregate(round, state.global(), List.of(), failures);
      return;
    }
    List<ClientUpdate> updates = new ArrayList<>();
    for (SourceTask.Result r : results) {
      Map<String, int[]> rows = r.rowIds() == null ? Map.of() : Map.of(SharingPolicy.Upload.TABLE, r.rowIds());
      updates.add(new ClientUpdate(r.source(), NamedTensors.fromBytes(r.trained()), r.tokens(), rows));
    }
    NamedTensors global = state.global().select(updates.get(0).trained().names()::contains);
    state.outer.aggregate(round, global, updates, failures).ifPresent(state::update);
    if (train.innerFor(variant) == InnerState.AVERAGE) {
      state.moments = meanMoments(results);
    }
  }

  private static AdamW.State meanMoments(List<SourceTask.Result> results) {
    List<NamedTensors> m = new ArrayList<>();
    List<NamedTensors> v = new ArrayList<>();
    long steps = 0;
    for (SourceTask.Result r : results) {
      AdamW.State s = SourceState.fromBytes(r.sharedMoments()).optimizer();
      m.add(s.m());
      v.add(s.v());
      steps = Math.max(steps, s.steps());
    }
    List<Double> uniform = Collections.nCopies(m.size(), 1.0);
    return new AdamW.State(NamedTensors.weightedMean(m, uniform), NamedTensors.weightedMean(v, uniform), steps);
  }
}
