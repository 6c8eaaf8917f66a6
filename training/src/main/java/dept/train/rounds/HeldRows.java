package dept.train.rounds;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.spark.api.java.JavaPairRDD;

/**
 * The token rows each TRIM task holds (its {@link TrimSharing#heldRows}), written once per run to
 * the checkpoint store by the executors that hold the task corpora, so that validation scores a
 * source over the rows it trained without the driver ever holding every source's rows.
 */
final class HeldRows {

  private HeldRows() {}

  private static String path(TaskKey key) {
    return "held-rows/" + key.statePath();
  }

  /** Every task's held rows into the store (under {@code state/held-rows/}, round 0: kept by pruning). */
  static void write(JavaPairRDD<TaskKey, TaskCorpus> corpora, RoundSetup setup) {
    String root = setup.storeRoot();
    dept.prep.io.HadoopConfig hadoop = setup.hadoop();
    corpora.foreach(t -> {
      int[] ids = TrimSharing.heldRows(t._2().tokenCounts());
      ByteArrayOutputStream buffer = new ByteArrayOutputStream(4 + 4 * ids.length);
      try (DataOutputStream out = new DataOutputStream(buffer)) {
        out.writeInt(ids.length);
        for (int id : ids) {
          out.writeInt(id);
        }
      }
      new CheckpointStore(root, hadoop.get()).writeSourceState(path(t._1()), 0, buffer.toByteArray());
    });
  }

  /** A source's held rows as a mask over {@code vocabSize} ids: the union of its replicas' rows. */
  static boolean[] read(CheckpointStore store, String source, int replicas, int vocabSize) {
    boolean[] held = new boolean[vocabSize];
    for (int r = 0; r < replicas; r++) {
      TaskKey key = new TaskKey(source, r);
      byte[] bytes = store.readSourceState(path(key), 0).orElseThrow(() -> new IllegalStateException(
          "no held rows of TRIM task " + key + " in the store: the run did not write them before validating"));
      try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
          held[in.readInt()] = true;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("held rows of " + key, e);
      }
    }
    return held;
  }
}
