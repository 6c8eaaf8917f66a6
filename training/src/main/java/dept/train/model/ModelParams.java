package dept.train.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dept.train.params.NamedTensors;
import dept.train.params.Tensor;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Parameters as engine arrays in their own manager, for training: built from {@link NamedTensors}
 * and read back into them. Closing releases the native memory.
 */
public final class ModelParams implements Weights, AutoCloseable {

  private final NDManager manager;
  private final TreeMap<String, NDArray> arrays = new TreeMap<>();
  private final TreeMap<String, long[]> shapes = new TreeMap<>();

  public ModelParams(NamedTensors tensors, NDManager parent, Device device, boolean trainable) {
    this.manager = parent.newSubManager(device);
    for (Map.Entry<String, Tensor> e : tensors.asMap().entrySet()) {
      NDArray a = manager.create(e.getValue().data(), new Shape(e.getValue().shape()));
      a.setRequiresGradient(trainable);
      arrays.put(e.getKey(), a);
      shapes.put(e.getKey(), e.getValue().shape());
    }
  }

  @Override
  public NDArray get(String name) {
    NDArray a = arrays.get(name);
    if (a == null) {
      throw new IllegalArgumentException("no parameter named " + name + " (have " + arrays.keySet() + ")");
    }
    return a;
  }

  @Override
  public boolean has(String name) {
    return arrays.containsKey(name);
  }

  public Map<String, NDArray> arrays() {
    return java.util.Collections.unmodifiableMap(arrays);
  }

  public NDManager manager() {
    return manager;
  }

  /** The current values of the parameters whose name passes {@code keep}. */
  public NamedTensors toTensors(Predicate<String> keep) {
    TreeMap<String, Tensor> out = new TreeMap<>();
    arrays.forEach((n, a) -> {
      if (keep.test(n)) {
        out.put(n, new Tensor(shapes.get(n), a.toFloatArray()));
      }
    });
    return new NamedTensors(out);
  }

  public NamedTensors toTensors() {
    return toTensors(n -> true);
  }

  @Override
  public void close() {
    manager.close();
  }
}
