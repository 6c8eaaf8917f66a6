package dept.prep.ingest;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Accounting and statistics of one source after ingest. {@code read = written + sum(rejected)}
 * holds for every source; {@code documents >= written} because long documents are split.
 *
 * @param source the source name ({@code *} for records rejected before a source could be chosen)
 * @param read records routed to the source
 * @param written records that became documents
 * @param rejected reject count per reason code
 * @param documents documents written (after splitting)
 * @param trainDocuments documents in the train split
 * @param valDocuments documents in the validation split
 * @param bytes UTF-8 bytes of the documents written
 * @param chars characters (code points) of the documents written
 * @param scriptMix share of letters per Unicode script
 * @param tags the source's tags from the config
 */
public record SourceStats(
    String source,
    long read,
    long written,
    SortedMap<String, Long> rejected,
    long documents,
    long trainDocuments,
    long valDocuments,
    long bytes,
    long chars,
    SortedMap<String, Double> scriptMix,
    List<String> tags) {

  public SourceStats {
    rejected = new TreeMap<>(rejected);
    scriptMix = new TreeMap<>(scriptMix);
    tags = List.copyOf(tags);
  }

  public long rejectedTotal() {
    return rejected.values().stream().mapToLong(Long::longValue).sum();
  }

  /** True when every record read is accounted for as written or rejected. */
  public boolean balanced() {
    return read == written + rejectedTotal();
  }

  /** The script with the largest share of letters, or {@code none}. */
  public String dominantScript() {
    return scriptMix.entrySet().stream()
        .max(Map.Entry.comparingByValue())
        .map(Map.Entry::getKey)
        .orElse("none");
  }
}
