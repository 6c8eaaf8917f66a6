package dept.prep.ingest;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * One source's counts over some ingest records (a partition's, then merged): records read,
 * written and rejected by reason, and the documents they became (pieces, split, bytes,
 * characters, letters per script). Merging is associative, so tasks tally and Spark reduces.
 */
final class SourceTally implements Serializable {

  /** The key of records that matched no source's filter (never a source name: names are checked). */
  static final String UNROUTED = "\u0000unrouted";

  private long read;
  private long written;
  private final TreeMap<String, Long> rejected = new TreeMap<>();
  private long documents;
  private long trainDocuments;
  private long valDocuments;
  private long bytes;
  private long chars;
  private final long[] letters = new long[ScriptMix.SCRIPT_COUNT];

  /**
   * The tallies of one partition of {@link IngestJob}'s records, keyed by source ({@link
   * #UNROUTED} for records no source took). A kept document's pieces, bytes, characters and letters
   * were measured when it was cleaned ({@code RecordCleaner}), so no text is read here.
   */
  static Iterator<Tuple2<String, SourceTally>> ofPartition(Iterator<Row> records, double valFraction) {
    Map<String, SourceTally> bySource = new TreeMap<>();
    while (records.hasNext()) {
      Row r = records.next(); // source, reason, hash, measures (RecordCleaner.measures)
      String source = r.isNullAt(0) ? UNROUTED : r.getString(0);
      SourceTally t = bySource.computeIfAbsent(source, s -> new SourceTally());
      t.read++;
      if (source.equals(UNROUTED)) {
        continue;
      }
      String reason = r.getString(1);
      if (reason != null) {
        t.rejected.merge(reason, 1L, Long::sum);
        continue;
      }
      List<Long> m = r.getList(3);
      long pieces = m.get(0);
      t.written++;
      t.documents += pieces;
      if (ContentHash.isValidation(r.getString(2), valFraction)) {
        t.valDocuments += pieces;
      } else {
        t.trainDocuments += pieces;
      }
      t.bytes += m.get(1);
      t.chars += m.get(2);
      for (int i = 3; i < m.size(); i += 2) {
        t.letters[m.get(i).intValue()] += m.get(i + 1);
      }
    }
    List<Tuple2<String, SourceTally>> out = new ArrayList<>();
    bySource.forEach((s, t) -> out.add(new Tuple2<>(s, t)));
    return out.iterator();
  }

  long read() {
    return read;
  }

  SourceTally merge(SourceTally other) {
    read += other.read;
    written += other.written;
    other.rejected.forEach((k, n) -> rejected.merge(k, n, Long::sum));
    documents += other.documents;
    trainDocuments += other.trainDocuments;
    valDocuments += other.valDocuments;
    bytes += other.bytes;
    chars += other.chars;
    for (int s = 0; s < letters.length; s++) {
      letters[s] += other.letters[s];
    }
    return this;
  }

  SourceStats stats(String source, List<String> tags) {
    Map<String, Long> named = ScriptMix.named(letters);
    long totalLetters = named.values().stream().mapToLong(Long::longValue).sum();
    TreeMap<String, Double> mix = new TreeMap<>();
    named.forEach((s, n) -> mix.put(s, n / (double) totalLetters));
    return new SourceStats(source, read, written, rejected, documents, trainDocuments, valDocuments, bytes, chars, mix, tags);
  }
}
