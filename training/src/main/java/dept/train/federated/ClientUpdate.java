package dept.train.federated;

import dept.train.params.NamedTensors;
import dept.train.params.ShardPlan;
import dept.train.params.Tensor;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one source's task sends back after its local steps.
 *
 * @param source the data source
 * @param trained its new values of the communicated tensors (the body, plus embeddings for GLOB);
 *     new values rather than deltas, so that averaging one source's update reproduces its local
 *     training bit for bit (old + (new - old) is not exact in float)
 * @param tokens tokens trained on: the FedAvg weight
 * @param rowIds for a tensor the source holds only some rows of (TRIM's token table): the global
 *     row of each of its rows; tensors not named here are whole
 */
public record ClientUpdate(String source, NamedTensors trained, long tokens, Map<String, int[]> rowIds) {

  public ClientUpdate(String source, NamedTensors trained, long tokens) {
    this(source, trained, tokens, Map.of());
  }

  public ClientUpdate {
    rowIds = Map.copyOf(rowIds);
  }

  /**
   * This update's part in shard {@code shard} of {@code plan} (a plan over the global layout):
   * whole tensors cut to the shard's rows; a partial tensor keeps the rows whose global row falls
   * in the shard, their ids made relative to the shard's first row. The mean of the shards'
   * updates, shard by shard, is element for element the mean of the whole updates.
   */
  public ClientUpdate shard(ShardPlan plan, int shard) {
    NamedTensors whole = trained.select(n -> !rowIds.containsKey(n));
    TreeMap<String, Tensor> partial = new TreeMap<>();
    TreeMap<String, int[]> ids = new TreeMap<>();
    for (ShardPlan.Slice s : plan.slices(shard)) {
      int[] global = rowIds.get(s.name());
      if (global == null) {
        continue;
      }
      Tensor t = trained.get(s.name());
      int rowFloats = global.length == 0 ? 0 : t.size() / global.length;
      int kept = 0;
      for (int g : global) {
        kept += g >= s.fromRow() && g < s.toRow() ? 1 : 0;
      }
      int[] local = new int[kept];
      float[] data = new float[kept * rowFloats];
      int k = 0;
      for (int i = 0; i < global.length; i++) {
        if (global[i] >= s.fromRow() && global[i] < s.toRow()) {
          local[k] = (int) (global[i] - s.fromRow());
          System.arraycopy(t.data(), i * rowFloats, data, k * rowFloats, rowFloats);
          k++;
        }
      }
      long[] shape = t.shape().clone();
      shape[0] = kept;
      partial.put(s.name(), new Tensor(shape, data));
      ids.put(s.name(), local);
    }
    return new ClientUpdate(source, plan.cut(whole, shard).with(new NamedTensors(partial)), tokens, ids);
  }
}
