package dept.train.rounds;

import ai.djl.ndarray.NDManager;
import dept.prep.io.HadoopConfig;
import dept.prep.pack.TokenArrays;
import dept.train.local.Evaluator;
import dept.train.local.LocalTrainer;
import dept.train.model.DecoderLm;
import dept.train.model.ModelParams;
import dept.train.params.NamedTensors;
import dept.train.params.Tensor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * What averaging costs a source ({@code train.local_validation}): after training in a validation
 * round, a per-source task scores the model it trained, before aggregation, on the same
 * validation sample the aggregated model is scored on afterwards. The samples go to the store once
 * per run, written by the executors (one source's sample is bounded by {@code eval_bytes} or
 * {@code eval_blocks}), so a task reads only its own.
 */
final class LocalValidation {

  private static final int BATCH = 16;

  private LocalValidation() {}

  private static String path(String source) {
    return "validation-sample/" + source;
  }

  /** A source's validation sample and the UTF-8 bytes of each token id of its tokenizer. */
  record Sample(int[] tokenBytes, List<int[]> blocks) {}

  /** Each unit's blocks of {@code sample} (unit, block_id, tokens), in block id order, with its token bytes, into the store. */
  static void write(Dataset<Row> sample, Map<String, int[]> tokenBytesBySource, String storeRoot, HadoopConfig hadoop) {
    sample.select("unit", "block_id", "tokens").javaRDD()
        .mapToPair(r -> new Tuple2<>(r.getString(0), new Tuple2<>(r.getLong(1), TokenArrays.ints(r.getList(2)))))
        .groupByKey()
        .foreach(g -> {
          TreeMap<Long, int[]> ordered = new TreeMap<>();
          g._2().forEach(b -> ordered.put(b._1(), b._2()));
          ByteArrayOutputStream buffer = new ByteArrayOutputStream();
          try (DataOutputStream out = new DataOutputStream(buffer)) {
            int[] tokenBytes = tokenBytesBySource.get(g._1());
            out.writeInt(tokenBytes.length);
            for (int b : tokenBytes) {
              out.writeInt(b);
            }
            out.writeInt(ordered.size());
            for (int[] block : ordered.values()) {
              out.writeInt(block.length);
              for (int t : block) {
                out.writeInt(t);
              }
            }
          }
          new CheckpointStore(storeRoot, hadoop.get()).writeSourceState(path(g._1()), 0, buffer.toByteArray());
        });
  }

  static Sample read(CheckpointStore store, String source) {
    byte[] bytes = store.readSourceState(path(source), 0).orElseThrow(() -> new IllegalStateException(
        "no validation sample of " + source + " in the store: the run did not write it before training"));
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      int[] tokenBytes = new int[in.readInt()];
      for (int i = 0; i < tokenBytes.length; i++) {
        tokenBytes[i] = in.readInt();
      }
      int n = in.readInt();
      List<int[]> blocks = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        int[] block = new int[in.readInt()];
        for (int k = 0; k < block.length; k++) {
          block[k] = in.readInt();
        }
        blocks.add(block);
      }
      return new Sample(tokenBytes, blocks);
    } catch (IOException e) {
      throw new UncheckedIOException("validation sample of " + source, e);
    }
  }

  /**
   * The task's trained model on its source's sample, as validation scores the aggregated one: the
   * global-shaped input side ({@code embeddings}: TRIM's trained rows written into the global table
   * it received) and, for TRIM, the softmax over its held rows.
   *
   * @param lm the model shapes validation scores the source with (its own or the global vocabulary)
   */
  static Evaluator.Metrics score(DecoderLm lm, NamedTensors body, NamedTensors embeddings, boolean[] heldRows, Sample sample) {
    List<int[]> blocks = sample.blocks();
    int[] tokenBytes = sample.tokenBytes();
    Evaluator evaluator = new Evaluator(lm, BATCH);
    Evaluator.Metrics total = Evaluator.Metrics.NONE;
    try (NDManager root = NDManager.newBaseManager(LocalTrainer.device());
        ModelParams params = new ModelParams(body.with(embeddings), root, LocalTrainer.device(), false)) {
      for (int from = 0; from < blocks.size(); from += BATCH) {
        List<int[]> batch = blocks.subList(from, Math.min(blocks.size(), from + BATCH));
        total = total.plus(heldRows == null ? evaluator.evaluateBatch(params, batch, tokenBytes)
            : evaluator.evaluateBatchOverRows(params, batch, tokenBytes, heldRows, Math.log(lm.vocabSize())).rows());
      }
    }
    return total;
  }

  /** {@code global} with rows {@code rowIds} of its token table replaced by {@code local}'s rows, in that order. */
  static NamedTensors scattered(NamedTensors global, NamedTensors local, int[] rowIds) {
    String table = SharingPolicy.Upload.TABLE;
    Tensor g = global.get(table);
    int d = (int) g.shape()[1];
    float[] out = g.data().clone();
    float[] rows = local.get(table).data();
    for (int i = 0; i < rowIds.length; i++) {
      System.arraycopy(rows, i * d, out, rowIds[i] * d, d);
    }
    return local.select(n -> !n.equals(table)).with(new NamedTensors(Map.of(table, new Tensor(g.shape(), out))));
  }

  /** The held-row mask of {@code rowIds} over {@code vocabSize} ids. */
  static boolean[] mask(int[] rowIds, int vocabSize) {
    boolean[] held = new boolean[vocabSize];
    for (int id : rowIds) {
      held[id] = true;
    }
    return held;
  }
}
