package dept.train.scoring;

import dept.train.model.ModelConfig;
import dept.train.params.NamedTensors;
import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * A trained model's weights broadcast once to the executors that score with it: the body and
 * the input embeddings per tokenizer, as bytes; a scoring task decodes what its unit reads.
 */
public record BroadcastModel(ModelConfig config, int seqLen, Broadcast<byte[]> bodyBytes, Broadcast<Map<String, byte[]>> embeddingBytes)
    implements Serializable {

  public static BroadcastModel of(SparkSession spark, ModelConfig config, int seqLen, NamedTensors body,
      Map<String, NamedTensors> embeddings) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Map<String, byte[]> bytes = new TreeMap<>();
    embeddings.forEach((tokenizer, e) -> bytes.put(tokenizer, e.toBytes()));
    return new BroadcastModel(config, seqLen, jsc.broadcast(body.toBytes()), jsc.broadcast(bytes));
  }

  public NamedTensors body() {
    return NamedTensors.fromBytes(bodyBytes.value());
  }

  public NamedTensors embeddings(String tokenizer) {
    byte[] bytes = embeddingBytes.value().get(tokenizer);
    if (bytes == null) {
      throw new IllegalArgumentException("the model has no embeddings for tokenizer " + tokenizer);
    }
    return NamedTensors.fromBytes(bytes);
  }

  /** Every tokenizer's input embeddings, by tokenizer. */
  public Map<String, NamedTensors> embeddings() {
    Map<String, NamedTensors> out = new TreeMap<>();
    embeddingBytes.value().forEach((tokenizer, bytes) -> out.put(tokenizer, NamedTensors.fromBytes(bytes)));
    return out;
  }

  public boolean hasEmbeddings(String tokenizer) {
    return embeddingBytes.value().containsKey(tokenizer);
  }

  /** Frees the executors' copies once the scoring jobs that read them are done. */
  public void destroy() {
    bodyBytes.destroy();
    embeddingBytes.destroy();
  }
}
