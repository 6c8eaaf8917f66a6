package dept.prep.ingest;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The datasets of one ingest run. {@code raw} and {@code records} are persisted; call {@link
 * #release()} when done with them.
 *
 * @param raw every record read, including those that matched no source ({@code source} null)
 * @param records the routed records after cleaning, with {@code reason} set on rejects
 * @param documents {@link IngestStage#DOCUMENTS_SCHEMA}
 * @param rejects {@link IngestStage#REJECTS_SCHEMA}
 */
public record IngestResult(
    Dataset<Row> raw, Dataset<Row> records, Dataset<Row> documents, Dataset<Row> rejects) {

  public void release() {
    records.unpersist();
    raw.unpersist();
  }
}
