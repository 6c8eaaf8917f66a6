package dept.train.ml;

import dept.prep.io.HadoopConfig;
import dept.prep.io.HadoopFiles;
import dept.prep.tokenizer.VocabConfig;
import dept.train.rounds.TrainedModel;
import dept.train.scoring.BroadcastModel;
import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * A trained model as executors score with it: its weights and tokenizers broadcast once, and where
 * a {@code +SCONE} model's lookup tables lie. Shipped with every scoring task and SQL function;
 * {@link OpenedModels} opens it once per executor, by {@code id} (unique per load: broadcast ids
 * restart with each SparkContext in a JVM).
 */
record ScoringModel(String id, BroadcastModel weights, Broadcast<Map<String, String>> tokenizers, String sconeTablesDir,
    HadoopConfig hadoop) implements Serializable {

  /**
   * Reads {@code modelDir} and the tokenizers its embeddings name from {@code tokenizersDir} on the driver.
   *
   * @throws IllegalArgumentException when a {@code +SCONE} model is given no tables directory
   */
  static ScoringModel load(SparkSession spark, String modelDir, String tokenizersDir, String sconeTablesDir) {
    var hadoop = spark.sparkContext().hadoopConfiguration();
    TrainedModel model = TrainedModel.load(modelDir, hadoop);
    if (model.scone() != null && sconeTablesDir.isEmpty()) {
      throw new IllegalArgumentException("sconeTablesDir: " + model.variant() + " is a +SCONE model: set its fgram_embeddings directory");
    }
    Map<String, String> json = new TreeMap<>();
    for (String name : model.embeddings().keySet()) {
      json.put(name, HadoopFiles.read(tokenizersDir + "/" + model.tokenizerOf(name) + "/tokenizer.json", hadoop));
    }
    BroadcastModel weights = BroadcastModel.of(spark, model.model(), model.seqLen(), model.body(), model.embeddings());
    Broadcast<Map<String, String>> tokenizers = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(json);
    return new ScoringModel(java.util.UUID.randomUUID().toString(), weights, tokenizers, model.scone() == null ? "" : sconeTablesDir, new HadoopConfig(hadoop));
  }

  int dModel() {
    return weights.config().dModel();
  }

  /** The table that reads {@code source}: its own when the model has one, else the global one; null when neither. */
  String tokenizerFor(String source) {
    Map<String, String> json = tokenizers.value();
    if (source != null && json.containsKey(source)) {
      return source;
    }
    return json.containsKey(VocabConfig.GLOBAL) ? VocabConfig.GLOBAL : null;
  }

  /** Why a document of {@code source} cannot be scored (when {@link #tokenizerFor} gives null). */
  static String noTokenizer(String source, boolean hasSourceColumn) {
    return hasSourceColumn && source == null ? "null source"
        : "no embeddings for source '" + (source == null ? "" : source) + "' and no global tokenizer";
  }
}
