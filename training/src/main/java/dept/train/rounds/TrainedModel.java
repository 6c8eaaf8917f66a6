package dept.train.rounds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dept.prep.io.AtomicOutput;
import dept.prep.io.HadoopFiles;
import dept.prep.tokenizer.VocabConfig;
import dept.train.model.DecoderLm;
import dept.train.model.ModelConfig;
import dept.train.scone.SconeModels;
import dept.train.params.NamedTensors;
import dept.train.rtd.RtdConfig;
import dept.train.scone.SconeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A trained model as the later stages (evaluation, SCONE, extension) read it: {@code model.json}
 * (variant, shapes, context length, vocabulary sizes, the tokenizer each table reads), {@code body.bin},
 * and one {@code embeddings/<table>.bin} per input table: {@code global}, or one per source for SPEC,
 * named after the source and reading its own tokenizer (or the global one under
 * {@code +GLOBALVOCAB}). A {@code +SCONE} variant's tables also hold its f-gram model
 * ({@code scone.*}, settings in model.json). Written to a hidden directory and renamed, {@code _SUCCESS} last.
 *
 * @param embeddings input tables by name: {@code global}, or a source's
 * @param tokenizers the tokenizer each table reads, by table name (a table not named reads the tokenizer of its name)
 */
public record TrainedModel(String variant, ModelConfig model, int seqLen, int rounds, NamedTensors body,
    Map<String, NamedTensors> embeddings, Map<String, String> tokenizers, SconeConfig scone, RtdConfig rtd) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public TrainedModel {
    tokenizers = tokenizers == null ? Map.of() : Map.copyOf(tokenizers);
  }

  /** A model whose tables each read the tokenizer of their name. */
  public TrainedModel(String variant, ModelConfig model, int seqLen, int rounds, NamedTensors body,
      Map<String, NamedTensors> embeddings, SconeConfig scone, RtdConfig rtd) {
    this(variant, model, seqLen, rounds, body, embeddings, Map.of(), scone, rtd);
  }

  /** The tokenizer table {@code table} reads. */
  public String tokenizerOf(String table) {
    return tokenizers.getOrDefault(table, table);
  }

  /** The table that scores {@code source}: its own when the model has one, else the global one (null: neither). */
  public String tableOf(String source) {
    return embeddings.containsKey(source) ? source : embeddings.containsKey(VocabConfig.GLOBAL) ? VocabConfig.GLOBAL : null;
  }

  /** Whether every table reads the tokenizer of its own name (false for SPEC+GLOBALVOCAB's per-source tables). */
  public boolean tablesNamedByTokenizer() {
    return embeddings.keySet().stream().allMatch(t -> tokenizerOf(t).equals(t));
  }

  public void save(String dir, Configuration conf) {
    AtomicOutput.writeDirectory(dir, conf, (fs, tmp) -> {
      ObjectNode meta = JSON.createObjectNode().put("variant", variant).put("seq_len", seqLen).put("rounds", rounds);
      meta.putObject("model").put("d_model", model.dModel()).put("layers", model.layers()).put("heads", model.heads())
          .put("mlp_ratio", model.mlpRatio());
      if (scone != null) {
        meta.set("scone", JSON.valueToTree(scone));
      }
      if (rtd != null) {
        meta.set("rtd", JSON.valueToTree(rtd));
      }
      ObjectNode vocab = meta.putObject("vocab_sizes");
      ObjectNode tokenizerOf = meta.putObject("tokenizers");
      write(fs, new Path(tmp, "body.bin"), body);
      for (Map.Entry<String, NamedTensors> e : new TreeMap<>(embeddings).entrySet()) {
        write(fs, new Path(tmp, "embeddings/" + e.getKey() + ".bin"), e.getValue());
        vocab.put(e.getKey(), DecoderLm.vocabSizeOf(e.getValue()));
        tokenizerOf.put(e.getKey(), tokenizerOf(e.getKey()));
      }
      HadoopFiles.writeBytes(fs, new Path(tmp, "model.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
    });
  }

  /** Streams the tensors to a file: a body of any size, never one array. */
  private static void write(FileSystem fs, Path file, NamedTensors tensors) throws IOException {
    try (java.io.OutputStream out = fs.create(file, true)) {
      tensors.write(out);
    }
  }

  private static NamedTensors read(FileSystem fs, Path file) throws IOException {
    try (java.io.InputStream in = fs.open(file)) {
      return NamedTensors.read(in);
    }
  }

  /** The model as this tokenizer's data reads it: with SCONE inputs over {@code fgrams} (usable ones) when the variant has them. */
  public DecoderLm decoder(String tokenizer, java.util.List<int[]> fgrams) {
    DecoderLm lm = new DecoderLm(model, DecoderLm.vocabSizeOf(embeddings.get(tokenizer)), seqLen);
    return SconeModels.withFgrams(lm, scone, scone == null ? null : scone.usable(fgrams));
  }

  public static TrainedModel load(String dir, Configuration conf) {
    if (!AtomicOutput.isComplete(dir, conf)) {
      throw new IllegalArgumentException(dir + " holds no complete model: run `dept train` first");
    }
    Path root = new Path(dir);
    try {
      FileSystem fs = root.getFileSystem(conf);
      JsonNode meta = JSON.readTree(HadoopFiles.readBytes(fs, new Path(root, "model.json")));
      JsonNode m = meta.path("model");
      ModelConfig model = new ModelConfig(m.path("d_model").asInt(), m.path("layers").asInt(), m.path("heads").asInt(),
          m.path("mlp_ratio").asInt());
      Map<String, NamedTensors> embeddings = new TreeMap<>();
      Map<String, String> tokenizers = new TreeMap<>();
      for (var it = meta.path("vocab_sizes").fieldNames(); it.hasNext(); ) {
        String name = it.next();
        embeddings.put(name, read(fs, new Path(root, "embeddings/" + name + ".bin")));
        tokenizers.put(name, meta.path("tokenizers").path(name).asText(name)); // models written before the field: the table's name
      }
      SconeConfig scone = meta.has("scone") ? JSON.treeToValue(meta.get("scone"), SconeConfig.class) : null;
      RtdConfig rtd = meta.has("rtd") ? JSON.treeToValue(meta.get("rtd"), RtdConfig.class) : null;
      return new TrainedModel(meta.path("variant").asText(), model, meta.path("seq_len").asInt(), meta.path("rounds").asInt(),
          read(fs, new Path(root, "body.bin")), embeddings, tokenizers, scone, rtd);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the model in " + dir, e);
    }
  }
}
