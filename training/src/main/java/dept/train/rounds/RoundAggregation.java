package dept.train.rounds;

import dept.train.params.NamedTensors;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's step after a round's tasks: the diverged ones are the round's failures (left out,
 * reported to the strategy); the mean of the others' uploads (TRIM's token rows included, row by
 * row), averaged on executors by {@link ShardedAggregation}, goes through the outer strategy; under
 * inner state AVERAGE their averaged shared moments replace the driver's. A round with a single
 * update (the STD mixture task, or one sampled source) has nothing to combine: its update is taken
 * as it is, so the outer strategy never turns one worker into a look-ahead optimiser.
 */
final class RoundAggregation {

  private static final Logger LOG = LoggerFactory.getLogger(RoundAggregation.class);

  private RoundAggregation() {}

  static void apply(Variant variant, TrainConfig train, int round, DriverState state, RoundRunner.Done done) {
    List<SourceTask.Result> all = done.results();
    all.stream().filter(SourceTask.Result::diverged).forEach(r -> LOG.warn("{} round {}: {}#{} diverged (non-finite "
        + "parameters, or loss {} > max_loss_ratio x its first); its update is left out and its state kept",
        variant, round, r.source(), r.replica(), r.lastLoss()));
    int failures = (int) all.stream().filter(SourceTask.Result::diverged).count();
    NamedTensors mean = done.meanTrained();
    NamedTensors global = mean == null ? state.global() : state.global().select(mean.names()::contains);
    if (all.size() - failures == 1 && mean != null) {
      state.update(mean);
    } else {
      state.outer.aggregate(round, global, mean, failures).ifPresent(state::update);
    }
    if (mean != null && train.innerFor(variant) == InnerState.AVERAGE) {
      state.moments = done.meanMoments();
    }
  }
}
