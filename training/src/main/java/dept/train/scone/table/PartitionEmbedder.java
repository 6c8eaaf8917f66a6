package dept.train.scone.table;

import dept.prep.io.StreamingRows;
import dept.prep.pack.TokenArrays;
import dept.train.params.NamedTensors;
import dept.train.scone.FgramPrecompute;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * One task of the precompute job: its keys arrive sorted by (table, n), so each run of one table
 * and one length is cut into batches as it streams past and the rows come out batch by batch. A
 * task holds one batch of keys and one table's parameters at a time, however large its partition.
 */
final class PartitionEmbedder {

  private final FgramPrecompute precompute;
  private final Map<String, byte[]> params;
  private final List<int[]> batch = new ArrayList<>();
  private String table;
  private FgramPrecompute.Session session;

  private PartitionEmbedder(FgramPrecompute precompute, Map<String, byte[]> params) {
    this.precompute = precompute;
    this.params = params;
  }

  /**
   * @param keys rows of ({@code table}, {@code ngram}, ...) sorted by table, then key length
   * @return rows of {@link SconeTableJob#SCHEMA}
   */
  static Iterator<Row> embed(Iterator<Row> keys, FgramPrecompute precompute, Map<String, byte[]> params) {
    PartitionEmbedder embedder = new PartitionEmbedder(precompute, params);
    TaskContext task = TaskContext.get();
    if (task != null) { // a failed task releases the device memory too
      task.addTaskCompletionListener((TaskContext t) -> embedder.closeSession());
    }
    return new StreamingRows<>(keys, embedder::add, embedder::finish);
  }

  private List<Row> add(Row key) {
    String keyTable = key.getString(0);
    int[] ngram = TokenArrays.ints(key.getList(1));
    List<Row> out = new ArrayList<>();
    boolean sameRun = keyTable.equals(table) && !batch.isEmpty() && batch.get(0).length == ngram.length;
    if (!sameRun || batch.size() == precompute.batch()) {
      flush(out);
    }
    if (!keyTable.equals(table)) {
      closeSession();
      table = keyTable;
      byte[] tableParams = params.get(keyTable);
      if (tableParams == null) {
        throw new IllegalArgumentException("no trained input parameters for table " + keyTable + "; the model has " + params.keySet());
      }
      session = precompute.open(NamedTensors.fromBytes(tableParams));
    }
    batch.add(ngram);
    return out;
  }

  private List<Row> finish() {
    List<Row> out = new ArrayList<>();
    flush(out);
    closeSession();
    return out;
  }

  private void flush(List<Row> out) {
    if (batch.isEmpty()) {
      return;
    }
    String batchTable = table;
    session.embed(batch, (key, embedding) -> out.add(RowFactory.create(batchTable, TokenArrays.boxed(key), key.length, embedding)));
    batch.clear();
  }

  private void closeSession() {
    if (session != null) {
      session.close();
      session = null;
    }
  }
}
