package dept.train.rounds;

import dept.train.random.Seeds;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Flower's configure step: which sources train in a round (all, or a seeded sample of
 * {@code sources_per_round}) and the task each (source, replica) runs.
 */
final class RoundPlan {

  private RoundPlan() {}

  static Map<TaskKey, SourceTask> tasks(RoundSetup setup, List<String> sources, int round, int attempt, FaultInjector faults) {
    Map<TaskKey, SourceTask> tasks = new TreeMap<>();
    boolean mixture = setup.variant().mixture();
    for (TaskKey key : TaskKey.all(choose(setup, sources, round), mixture, setup.train().replicas())) {
      tasks.put(key, new SourceTask(setup.side(key.source()), key, round, attempt, faults));
    }
    return tasks;
  }

  static List<String> choose(RoundSetup setup, List<String> sources, int round) {
    TrainConfig train = setup.train();
    if (setup.variant().mixture() || train.sourcesPerRound() <= 0 || train.sourcesPerRound() >= sources.size()) {
      return sources;
    }
    List<String> shuffled = new ArrayList<>(sources);
    Collections.shuffle(shuffled, new Random(Seeds.derive(train.seed(), "sources", round)));
    List<String> chosen = new ArrayList<>(shuffled.subList(0, train.sourcesPerRound()));
    Collections.sort(chosen);
    return chosen;
  }
}
