package dept.train.dept;

import java.util.List;
import org.apache.spark.Partitioner;

/** One Spark partition per source (in sorted order), so one task holds exactly one source's blocks. */
final class SourcePartitioner extends Partitioner {

  private static final long serialVersionUID = 1L;

  private final List<String> sources;

  SourcePartitioner(List<String> sources) {
    this.sources = List.copyOf(sources);
  }

  @Override
  public int numPartitions() {
    return sources.size();
  }

  @Override
  public int getPartition(Object key) {
    int i = sources.indexOf((String) key);
    if (i < 0) {
      throw new IllegalArgumentException("unknown source " + key);
    }
    return i;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SourcePartitioner p && p.sources.equals(sources);
  }

  @Override
  public int hashCode() {
    return sources.hashCode();
  }
}
