package dept.prep.ingest;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The datasets of one ingest run. {@code records} is persisted; call {@link #release()} when done
 * with it.
 *
 * @param records every record read after cleaning, with {@code reason} set on rejects and a null
 *     {@code source} on those that matched no source's filter
 * @param documents {@link IngestJob#DOCUMENTS_SCHEMA}
 * @param rejects {@link IngestJob#REJECTS_SCHEMA}
 */
public record IngestResult(Dataset<Row> records, Dataset<Row> documents, Dataset<Row> rejects) {

  public void release() {
    records.unpersist();
  }
}
