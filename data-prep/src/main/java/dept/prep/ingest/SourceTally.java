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
   * #UNROUTED} for records no source took). Documents are split as the documents output splits
   * them; their pieces concatenate back to the text, so bytes, characters and letters are the
   * text's.
   */
  static Iterator<Tuple2<String, SourceTally>> ofPartition(Iterator<Row> records, int maxChars, double valFraction) {
    Map<String, SourceTally> bySource = new TreeMap<>();
    DocumentSplitter splitter = new DocumentSplitter(maxChars);
    while (records.hasNext()) {
      Row r = records.next(); // IngestJob.CLEAN_SCHEMA: 0 source, 3 text, 4 reason, 7 hash
      String source = r.isNullAt(0) ? UNROUTED : r.getString(0);
      SourceTally t = bySource.computeIfAbsent(source, s -> new SourceTally());
      t.read++;
      if (source.equals(UNROUTED)) {
        continue;
      }
      String reason = r.getString(4);
      if (reason != null) {
        t.rejected.merge(reason, 1L, Long::sum);
        continue;
      }
      String text = r.getString(3);
      int pieces = splitter.count(text);
      t.written++;
      t.documents += pieces;
      if (ContentHash.isValidation(r.getString(7), valFraction)) {
        t.valDocuments += pieces;
      } else {
        t.trainDocuments += pieces;
      }
      t.bytes += Utf8.encodedLength(text);
      t.chars += text.codePointCount(0, text.length());
      ScriptMix.addTo(text, t.letters);
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
