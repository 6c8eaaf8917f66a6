package dept.train.extend;

import dept.train.rounds.TrainedModel;
import dept.train.params.NamedTensors;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * {@code dept extend} on Spark: the base model and the data are broadcast once, and each method
 * (neutral residues and its baselines) runs as one task on an executor (on its GPU when it has
 * one); the driver collects what each measured.
 */
public final class ExtensionJob {

  private final SparkSession spark;

  public ExtensionJob(SparkSession spark) {
    this.spark = spark;
  }

  public List<ExtensionTask.Result> run(TrainedModel base, ExtensionData data, ExtendConfig config, int batchSize) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Map<String, byte[]> embeddings = new TreeMap<>();
    base.embeddings().forEach((t, e) -> embeddings.put(t, e.toBytes()));
    Broadcast<byte[]> body = jsc.broadcast(base.body().toBytes());
    Broadcast<Map<String, byte[]>> rows = jsc.broadcast(embeddings);
    Broadcast<ExtensionData> shared = jsc.broadcast(data);
    List<ExtensionTask> tasks = new ArrayList<>();
    config.methods().forEach(m -> tasks.add(new ExtensionTask(ExtensionMethod.of(m), config, base.model(), base.seqLen(), batchSize)));
    try {
      jsc.setJobGroup("dept-extend", "dept extend " + data.newSource() + ": " + config.methods(), true);
      List<ExtensionTask.Result> results = new ArrayList<>(jsc.parallelize(tasks, tasks.size())
          .map(t -> t.run(NamedTensors.fromBytes(body.value()), decode(rows.value()), shared.value()))
          .collect());
      results.sort(Comparator.comparingInt(r -> config.methods().indexOf(r.method())));
      return results;
    } finally {
      jsc.clearJobGroup();
      body.destroy();
      rows.destroy();
      shared.destroy();
    }
  }

  private static Map<String, NamedTensors> decode(Map<String, byte[]> bytes) {
    Map<String, NamedTensors> out = new TreeMap<>();
    bytes.forEach((t, b) -> out.put(t, NamedTensors.fromBytes(b)));
    return out;
  }
}
