package dept.train.rounds;

import java.util.List;
import org.apache.spark.Partitioner;

/** One Spark partition per task (source, replica), in sorted order, so one task holds exactly its shard. */
final class SourcePartitioner extends Partitioner {

  private static final long serialVersionUID = 2L;

  private final List<TaskKey> tasks;

  SourcePartitioner(List<TaskKey> tasks) {
    this.tasks = List.copyOf(tasks);
  }

  @Override
  public int numPartitions() {
    return tasks.size();
  }

  @Override
  public int getPartition(Object key) {
    int i = tasks.indexOf((TaskKey) key);
    if (i < 0) {
      throw new IllegalArgumentException("unknown task " + key);
    }
    return i;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SourcePartitioner p && p.tasks.equals(tasks);
  }

  @Override
  public int hashCode() {
    return tasks.hashCode();
  }
}
