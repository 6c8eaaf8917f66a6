package dept.train.rounds;

import dept.train.local.BatchOrder;
import dept.train.local.LocalTrainer;

/**
 * STD and ACT, the non-decoupled baselines: one task trains one model on the temperature-sampled
 * mixture of every source with the global vocabulary, and everything is shared. ACT re-initialises
 * the token embeddings every {@code act_reset_every} steps (active forgetting, Chen et al. 2023).
 */
record MixtureSharing(boolean activeForgetting) implements SharingPolicy {

  @Override
  public boolean aggregated(String name) {
    return true;
  }


  @Override
  public BatchOrder order(TaskCorpus corpus, TrainConfig train, long seed) {
    return BatchOrder.mixture(corpus.counts(), train.temperature(), train.optim().batchSize(), seed);
  }

  @Override
  public LocalTrainer configure(LocalTrainer trainer, TrainConfig train, long seed) {
    return activeForgetting ? trainer.withActiveForgetting(train.actResetEvery(), seed) : trainer;
  }

  @Override
  public boolean mixture() {
    return true;
  }
}
