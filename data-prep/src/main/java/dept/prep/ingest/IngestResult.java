package dept.prep.ingest;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The datasets of one ingest run. What they are computed from is persisted ({@code cached}: the
 * cleaned records and the repeated hashes); call {@link #release()} when done with them.
 *
 * @param records every record read after cleaning, with {@code reason} set on rejects and a null
 *     {@code source} on those that matched no source's filter
 * @param documents {@link IngestJob#DOCUMENTS_SCHEMA}
 * @param rejects {@link IngestJob#REJECTS_SCHEMA}
 * @param cached the persisted datasets the others read
 */
public record IngestResult(Dataset<Row> records, Dataset<Row> documents, Dataset<Row> rejects, List<Dataset<Row>> cached) {

  public void release() {
    cached.forEach(Dataset::unpersist);
  }
}
