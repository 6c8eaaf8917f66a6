package dept.train.ml;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dept.prep.io.HadoopConfig;
import dept.prep.io.HadoopFiles;
import dept.prep.ml.StageColumns;
import dept.prep.tokenizer.BpeTokenizer;
import dept.prep.tokenizer.TokenizerJson;
import dept.prep.tokenizer.VocabConfig;
import dept.train.local.Batches;
import dept.train.local.LocalTrainer;
import dept.train.model.DecoderLm;
import dept.train.model.ModelParams;
import dept.train.rounds.TrainedModel;
import dept.train.scone.FgramEmbeddingStore;
import dept.train.scone.SconeTableReader;
import dept.train.scone.TableInput;
import dept.train.scoring.BroadcastModel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A trained DEPT model (any variant, {@code train/<variant>/model}) as a Spark ML stage: adds each
 * document's bits per byte and scored token count. A document is read with its source's own
 * tokenizer when the model has embeddings for it (SPEC), else the global one; it is scored as
 * {@link DocumentWindows} cuts it, in batches across the documents of a partition; a {@code +SCONE}
 * model reads its input rows from the precomputed lookup tables ({@code sconeTablesDir}), as
 * inference does. With {@code embeddingCol} set, it also adds the document's mean final hidden
 * state, from the same forward pass. The weights travel by broadcast (once per executor); each task opens them on
 * its device (the GPU when the executor has one). A document it cannot score (null or empty text,
 * no tokenizer for its source) gets nulls and a reason, never a failed task.
 */
public final class DocumentScoringStage extends Transformer implements DefaultParamsWritable {

  private static final double LN2 = Math.log(2);

  private final String uid;
  private final Param<String> modelDir;
  private final Param<String> tokenizersDir;
  private final Param<String> sconeTablesDir;
  private final Param<String> textCol;
  private final Param<String> sourceCol;
  private final Param<String> bitsPerByteCol;
  private final Param<String> tokenCountCol;
  private final Param<String> reasonCol;
  private final IntParam batchSize;
  private final Param<String> embeddingCol;

  public DocumentScoringStage() {
    this("documentScoring_" + UUID.randomUUID().toString().substring(24));
  }

  public DocumentScoringStage(String uid) {
    this.uid = uid;
    modelDir = new Param<>(this, "modelDir", "a trained variant's model directory (train/<variant>/model)");
    tokenizersDir = new Param<>(this, "tokenizersDir", "the run's tokenizers directory (<name>/tokenizer.json)");
    sconeTablesDir = new Param<>(this, "sconeTablesDir", "a +SCONE variant's fgram_embeddings directory; empty for other variants");
    textCol = new Param<>(this, "textCol", "the document text column");
    sourceCol = new Param<>(this, "sourceCol", "the column naming each document's source; empty: the global tokenizer");
    bitsPerByteCol = new Param<>(this, "bitsPerByteCol", "the bits per byte column added");
    tokenCountCol = new Param<>(this, "tokenCountCol", "the scored tokens column added");
    reasonCol = new Param<>(this, "reasonCol", "the column added with why a document has no score");
    batchSize = new IntParam(this, "batchSize", "blocks per forward pass", ParamValidators.gtEq(1));
    embeddingCol = new Param<>(this, "embeddingCol",
        "if set, a column with the document's mean final hidden state (array<float>, d_model) over the positions that predict its tokens");
    setDefault(sconeTablesDir, "");
    setDefault(textCol, "text");
    setDefault(sourceCol, "");
    setDefault(bitsPerByteCol, "bits_per_byte");
    setDefault(tokenCountCol, "token_count");
    setDefault(reasonCol, "score_reason");
    setDefault(batchSize, 16);
    setDefault(embeddingCol, "");
  }

  public Param<String> embeddingCol() {
    return embeddingCol;
  }

  public DocumentScoringStage setEmbeddingCol(String value) {
    set(embeddingCol, value);
    return this;
  }

  public Param<String> modelDir() {
    return modelDir;
  }

  public Param<String> tokenizersDir() {
    return tokenizersDir;
  }

  public Param<String> sconeTablesDir() {
    return sconeTablesDir;
  }

  public Param<String> textCol() {
    return textCol;
  }

  public Param<String> sourceCol() {
    return sourceCol;
  }

  public Param<String> bitsPerByteCol() {
    return bitsPerByteCol;
  }

  public Param<String> tokenCountCol() {
    return tokenCountCol;
  }

  public Param<String> reasonCol() {
    return reasonCol;
  }

  public IntParam batchSize() {
    return batchSize;
  }

  public DocumentScoringStage setModelDir(String value) {
    set(modelDir, value);
    return this;
  }

  public DocumentScoringStage setTokenizersDir(String value) {
    set(tokenizersDir, value);
    return this;
  }

  public DocumentScoringStage setSconeTablesDir(String value) {
    set(sconeTablesDir, value);
    return this;
  }

  public DocumentScoringStage setSourceCol(String value) {
    set(sourceCol, value);
    return this;
  }

  public DocumentScoringStage setTextCol(String value) {
    set(textCol, value);
    return this;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema(), true);
    var spark = dataset.sparkSession();
    var hadoop = spark.sparkContext().hadoopConfiguration();
    TrainedModel model = TrainedModel.load(getOrDefault(modelDir), hadoop);
    if (model.scone() != null && getOrDefault(sconeTablesDir).isEmpty()) {
      throw new IllegalArgumentException("sconeTablesDir: " + model.variant() + " is a +SCONE model: set its fgram_embeddings directory");
    }
    Map<String, String> json = new TreeMap<>();
    for (String name : model.embeddings().keySet()) {
      json.put(name, HadoopFiles.read(getOrDefault(tokenizersDir) + "/" + name + "/tokenizer.json", hadoop));
    }
    BroadcastModel weights = BroadcastModel.of(spark, model.model(), model.seqLen(), model.body(), model.embeddings());
    Broadcast<Map<String, String>> tokenizers = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(json);
    Settings settings = new Settings(weights, tokenizers, model.scone() == null ? "" : getOrDefault(sconeTablesDir),
        new HadoopConfig(hadoop), dataset.schema().fieldIndex(getOrDefault(textCol)),
        getOrDefault(sourceCol).isEmpty() ? -1 : dataset.schema().fieldIndex(getOrDefault(sourceCol)), (Integer) getOrDefault(batchSize),
        !getOrDefault(embeddingCol).isEmpty());
    return dataset.toDF().mapPartitions((MapPartitionsFunction<Row, Row>) rows -> new PartitionScores(rows, settings), Encoders.row(out));
  }

  /** What a task needs, shipped with it: broadcasts and column positions. */
  private record Settings(BroadcastModel weights, Broadcast<Map<String, String>> tokenizers, String sconeTablesDir,
      HadoopConfig hadoop, int textIndex, int sourceIndex, int batchSize, boolean embed) implements java.io.Serializable {}

  /** One tokenizer's model opened in a task: its decoder, weights on the device, tokenizer. */
  private static final class Unit implements AutoCloseable {
    final BpeTokenizer tokenizer;
    final DecoderLm lm;
    final NDManager root;
    final ModelParams params;
    final FgramEmbeddingStore table;

    Unit(String name, Settings s) {
      tokenizer = TokenizerJson.read(s.tokenizers().value().get(name));
      var embeddings = s.weights().embeddings(name);
      DecoderLm decoder = new DecoderLm(s.weights().config(), DecoderLm.vocabSizeOf(embeddings), s.weights().seqLen());
      table = s.sconeTablesDir().isEmpty() ? null : SconeTableReader.load(s.sconeTablesDir() + "/table=" + name, s.hadoop().get());
      lm = table == null ? decoder : decoder.withInput(new TableInput(table));
      root = NDManager.newBaseManager(LocalTrainer.device());
      params = new ModelParams(s.weights().body().with(embeddings), root, LocalTrainer.device(), false);
    }

    /**
     * Nats summed over each block's targets and the targets counted, per block; with {@code hidden}
     * (B x C), also the final hidden states summed over the positions that predict a target.
     */
    void score(List<int[]> blocks, double[] nats, long[] tokens, float[] hidden) {
      try (NDManager step = root.newSubManager()) {
        NDArray ids = Batches.toArray(blocks.toArray(new int[0][]), step);
        DecoderLm.Scored scored = lm.scored(ids, params, step, null);
        DecoderLm.TokenLoss loss = scored.loss();
        float[] n = loss.nll().mul(loss.mask()).sum(new int[] {1}).toFloatArray();
        float[] t = loss.mask().sum(new int[] {1}).toFloatArray();
        for (int i = 0; i < n.length; i++) {
          nats[i] = n[i];
          tokens[i] = (long) t[i];
        }
        if (hidden != null) {
          float[] h = scored.hidden().mul(loss.mask().expandDims(-1)).sum(new int[] {1}).toFloatArray(); // (B, C)
          System.arraycopy(h, 0, hidden, 0, h.length);
        }
      }
    }

    @Override
    public void close() {
      params.close();
      root.close();
      if (table != null) {
        table.close();
      }
    }
  }

  /** A partition's rows with their scores, a chunk of documents at a time; the opened units closed at the end. */
  private static final class PartitionScores implements Iterator<Row> {
    private static final int CHUNK_DOCUMENTS = 64;

    private final Iterator<Row> rows;
    private final Settings s;
    private final Map<String, Unit> units = new TreeMap<>();
    private final java.util.ArrayDeque<Row> ready = new java.util.ArrayDeque<>();

    PartitionScores(Iterator<Row> rows, Settings s) {
      this.rows = rows;
      this.s = s;
    }

    @Override
    public boolean hasNext() {
      if (ready.isEmpty() && rows.hasNext()) {
        List<Row> chunk = new ArrayList<>();
        while (rows.hasNext() && chunk.size() < CHUNK_DOCUMENTS) {
          chunk.add(rows.next());
        }
        ready.addAll(score(chunk));
      }
      if (ready.isEmpty()) {
        units.values().forEach(Unit::close);
        units.clear();
      }
      return !ready.isEmpty();
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return ready.poll();
    }

    private List<Row> score(List<Row> chunk) {
      int n = chunk.size();
      double[] nats = new double[n];
      long[] tokens = new long[n];
      int dim = s.weights().config().dModel();
      double[][] pooled = s.embed() ? new double[n][dim] : null;
      String[] reasons = new String[n];
      Map<String, List<int[]>> blocks = new TreeMap<>();
      Map<String, List<Integer>> owner = new TreeMap<>();
      for (int d = 0; d < n; d++) {
        Row r = chunk.get(d);
        String text = r.isNullAt(s.textIndex()) ? null : r.getString(s.textIndex());
        String name = tokenizerOf(r);
        reasons[d] = text == null ? "null text" : text.isEmpty() ? "empty text" : name == null ? noTokenizer(r) : null;
        if (reasons[d] != null) {
          continue;
        }
        Unit u = units.computeIfAbsent(name, k -> new Unit(k, s));
        for (int[] block : DocumentWindows.of(u.tokenizer.encode(text), s.weights().seqLen())) {
          blocks.computeIfAbsent(name, k -> new ArrayList<>()).add(block);
          owner.computeIfAbsent(name, k -> new ArrayList<>()).add(d);
        }
      }
      blocks.forEach((name, list) -> {
        List<Integer> docs = owner.get(name);
        for (int from = 0; from < list.size(); from += s.batchSize()) {
          List<int[]> batch = list.subList(from, Math.min(list.size(), from + s.batchSize()));
          double[] bn = new double[batch.size()];
          long[] bt = new long[batch.size()];
          float[] bh = pooled == null ? null : new float[batch.size() * dim];
          units.get(name).score(batch, bn, bt, bh);
          for (int i = 0; i < batch.size(); i++) {
            int doc = docs.get(from + i);
            nats[doc] += bn[i];
            tokens[doc] += bt[i];
            for (int c = 0; pooled != null && c < dim; c++) {
              pooled[doc][c] += bh[i * dim + c];
            }
          }
        }
      });
      List<Row> out = new ArrayList<>(n);
      for (int d = 0; d < n; d++) {
        Row r = chunk.get(d);
        Object[] values = new Object[r.size() + (pooled == null ? 3 : 4)];
        for (int i = 0; i < r.size(); i++) {
          values[i] = r.get(i);
        }
        if (reasons[d] == null) {
          long bytes = r.getString(s.textIndex()).getBytes(StandardCharsets.UTF_8).length;
          values[r.size()] = nats[d] / LN2 / bytes;
          values[r.size() + 1] = tokens[d];
          if (pooled != null) {
            float[] mean = new float[dim];
            for (int c = 0; c < dim; c++) {
              mean[c] = (float) (pooled[d][c] / tokens[d]);
            }
            values[r.size() + 3] = mean;
          }
        }
        values[r.size() + 2] = reasons[d];
        out.add(RowFactory.create(values));
      }
      return out;
    }

    /** The source's own tokenizer when the model has embeddings for it, else the global one; null when neither. */
    private String tokenizerOf(Row r) {
      Map<String, String> json = s.tokenizers().value();
      if (s.sourceIndex() >= 0 && !r.isNullAt(s.sourceIndex()) && json.containsKey(r.getString(s.sourceIndex()))) {
        return r.getString(s.sourceIndex());
      }
      return json.containsKey(VocabConfig.GLOBAL) ? VocabConfig.GLOBAL : null;
    }

    private String noTokenizer(Row r) {
      return s.sourceIndex() >= 0 && r.isNullAt(s.sourceIndex()) ? "null source"
          : "no embeddings for source '" + (s.sourceIndex() >= 0 ? r.getString(s.sourceIndex()) : "") + "' and no global tokenizer";
    }
  }

  @Override
  public StructType transformSchema(StructType schema) {
    for (Param<String> required : List.of(modelDir, tokenizersDir)) {
      if (!isDefined(required)) {
        throw new IllegalArgumentException(required.name() + ": not set");
      }
    }
    StageColumns.require(schema, getOrDefault(textCol), DataTypes.StringType, "textCol");
    if (!getOrDefault(sourceCol).isEmpty()) {
      StageColumns.require(schema, getOrDefault(sourceCol), DataTypes.StringType, "sourceCol");
    }
    StructType out = StageColumns.adding(schema, getOrDefault(bitsPerByteCol), DataTypes.DoubleType, "bitsPerByteCol");
    out = StageColumns.adding(out, getOrDefault(tokenCountCol), DataTypes.LongType, "tokenCountCol");
    out = StageColumns.adding(out, getOrDefault(reasonCol), DataTypes.StringType, "reasonCol");
    return getOrDefault(embeddingCol).isEmpty() ? out
        : StageColumns.adding(out, getOrDefault(embeddingCol), DataTypes.createArrayType(DataTypes.FloatType, false), "embeddingCol");
  }

  @Override
  public DocumentScoringStage copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  @Override
  public String uid() {
    return uid;
  }

  public static MLReader<DocumentScoringStage> read() {
    return new DefaultParamsReader<>();
  }

  public static DocumentScoringStage load(String path) {
    return read().load(path);
  }
}
