package dept.prep.ingest;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Cleans a record where it is read: normalises its text by its source's whitespace mode, rejects
 * empty and too-short documents, and hashes the rest. Gives the row of {@code IngestJob.CLEAN_SCHEMA}
 * directly, so a text is encoded into Spark's binary form once, not once as read and again as cleaned.
 */
final class RecordCleaner implements Serializable {

  private final Map<String, WhitespaceMode> modes = new HashMap<>();
  private final int minChars;
  private final int maxChars;
  private transient long[] letters;

  RecordCleaner(List<SourceSpec> sources, int minChars, int maxChars) {
    sources.forEach(s -> modes.put(s.name(), s.whitespace()));
    this.minChars = minChars;
    this.maxChars = maxChars;
  }

  Row clean(RawRecord r) {
    String text = r.text();
    String reason = r.reason() == null ? null : r.reason().code();
    String raw = r.raw();
    String hash = null;
    Long[] measures = null;
    if (r.source() != null && reason == null) {
      String cleaned = new TextNormalizer(modes.get(r.source())).normalize(text);
      if (cleaned.isEmpty() || !TextNormalizer.hasVisibleText(cleaned)) { // e.g. only zero-width characters
        reason = RejectReason.EMPTY.code();
        raw = Utf8.truncate(text, RecordExtractor.PREVIEW_CHARS);
      } else if (cleaned.codePointCount(0, cleaned.length()) < minChars) {
        reason = RejectReason.TOO_SHORT.code();
        raw = cleaned;
      } else {
        hash = ContentHash.of(cleaned);
        measures = measures(cleaned);
      }
      text = reason == null ? cleaned : null;
    }
    return RowFactory.create(
        r.source(), r.file(), r.line(), text, reason, raw, RawRecord.location(r.file(), r.line()), hash, measures);
  }

  /**
   * What the statistics need of a kept document, measured here, in parallel, so that they never
   * read the text again: {@code [pieces, bytes, chars, script, letters, script, letters, ...]}
   * (the pieces the documents output splits it into; UTF-8 bytes; code points; letters per script
   * ordinal, scripts with none left out).
   */
  private Long[] measures(String text) {
    if (letters == null) {
      letters = new long[ScriptMix.SCRIPT_COUNT];
    }
    java.util.Arrays.fill(letters, 0);
    ScriptMix.addTo(text, letters);
    List<Long> out = new java.util.ArrayList<>(List.of(
        (long) new DocumentSplitter(maxChars).count(text), Utf8.encodedLength(text), (long) text.codePointCount(0, text.length())));
    for (int script = 0; script < letters.length; script++) {
      if (letters[script] > 0) {
        out.add((long) script);
        out.add(letters[script]);
      }
    }
    return out.toArray(new Long[0]);
  }
}
