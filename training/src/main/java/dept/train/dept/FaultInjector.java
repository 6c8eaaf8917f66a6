package dept.train.dept;

import java.io.Serializable;

/**
 * Called at the start of every training task attempt; tests use it to make an attempt fail and
 * check that Spark's retry leaves the round's result unchanged. Production runs have none.
 */
@FunctionalInterface
public interface FaultInjector extends Serializable {

  void beforeTask(String source, int replica, int round, int attempt);
}
