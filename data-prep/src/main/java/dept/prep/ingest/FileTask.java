package dept.prep.ingest;

import java.io.Serializable;
import java.util.List;

/**
 * One input file to read, with every source that reads it, so a file shared by several sources
 * (through filters) is read once.
 */
public record FileTask(String path, InputFormat format, String textField, List<SourceSpec> sources)
    implements Serializable {

  public FileTask {
    sources = List.copyOf(sources);
  }

  /** Whom a record that fails before routing belongs to: the only source, or nobody in particular. */
  String owner() {
    return sources.size() == 1 ? sources.get(0).name() : RawRecord.UNATTRIBUTED;
  }
}
