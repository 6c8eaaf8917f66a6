package dept.train.rounds;

import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The progress line after each round: train losses, tokens/s, bytes each way, time, ETA, validation. */
final class RoundProgress {

  private static final Logger LOG = LoggerFactory.getLogger(RoundEngine.class);

  private final Variant variant;
  private final TrainConfig train;
  private final int firstRound;
  private final long runStart = System.nanoTime();

  RoundProgress(Variant variant, TrainConfig train, int firstRound) {
    this.variant = variant;
    this.train = train;
    this.firstRound = firstRound;
  }

  void roundDone(int round, long start, List<SourceTask.Result> results, RunLog log) {
    StringBuilder losses = new StringBuilder();
    long up = 0;
    long down = 0;
    long tokens = 0;
    for (SourceTask.Result r : results) {
      losses.append(String.format(Locale.ROOT, " %s=%.3f", r.source() + (train.replicas() > 1 ? "#" + r.replica() : ""), r.lastLoss()));
      up += r.bytesUp();
      down += r.bytesDown();
      tokens += r.tokens();
    }
    double secs = (System.nanoTime() - start) / 1e9;
    double perRound = (System.nanoTime() - runStart) / 1e9 / (round - firstRound + 1);
    boolean validated = log.validation().stream().anyMatch(v -> v.round() == round);
    LOG.info(String.format(Locale.ROOT, "%s round %d/%d: train loss%s; %.0f tok/s; %d B up, %d B down; %.1f s, ETA %.0f s%s",
        variant, round, train.rounds(), losses, tokens / secs, up, down, secs, perRound * (train.rounds() - round),
        validated ? "; " + lossLine(log.validation(), round) : ""));
  }

  static String lossLine(List<RunLog.ValidationRow> rows, int round) {
    StringBuilder b = new StringBuilder("val loss");
    rows.stream().filter(r -> r.round() == round)
        .forEach(r -> b.append(String.format(Locale.ROOT, " %s=%.3f", r.source(), r.loss())));
    return b.toString();
  }
}
