package dept.train.ml;

import dept.prep.ml.StageColumns;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.UUID;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
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
import org.apache.spark.util.TaskCompletionListener;

/**
 * A trained DEPT model (any variant, {@code train/<variant>/model}) as a Spark ML stage: adds each
 * document's bits per byte and scored token count. A document is read with its source's own
 * tokenizer when the model has embeddings for it (SPEC), else the global one; it is scored as
 * {@link DocumentWindows} cuts it, in batches across the documents of a partition; a {@code +SCONE}
 * model reads its input rows from the precomputed lookup tables ({@code sconeTablesDir}), as
 * inference does. With {@code embeddingCol} set, it also adds the document's mean final hidden
 * state, from the same forward pass. The weights travel by broadcast and are opened once per executor, on its
 * device (the GPU when it has one), and shared by its tasks ({@link OpenedModels}). A document it cannot score (null or empty text,
 * no tokenizer for its source) gets nulls and a reason, never a failed task.
 */
public final class DocumentScoringStage extends Transformer implements DefaultParamsWritable {

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
    ScoringModel model = ScoringModel.load(dataset.sparkSession(), getOrDefault(modelDir), getOrDefault(tokenizersDir),
        getOrDefault(sconeTablesDir));
    Columns columns = new Columns(dataset.schema().fieldIndex(getOrDefault(textCol)),
        getOrDefault(sourceCol).isEmpty() ? -1 : dataset.schema().fieldIndex(getOrDefault(sourceCol)), (Integer) getOrDefault(batchSize),
        !getOrDefault(embeddingCol).isEmpty());
    return dataset.toDF().mapPartitions((MapPartitionsFunction<Row, Row>) rows -> new PartitionScores(rows, model, columns),
        Encoders.row(out));
  }

  /** Where a task finds its inputs in a row, and what it adds. */
  private record Columns(int textIndex, int sourceIndex, int batchSize, boolean embed) implements java.io.Serializable {}

  /**
   * A partition's rows with their scores, a chunk of documents at a time, through the executor's
   * opened units; the task's hold on them ends with the partition or the task, whichever comes first.
   */
  private static final class PartitionScores implements Iterator<Row> {
    private static final int CHUNK_DOCUMENTS = 64;

    private final Iterator<Row> rows;
    private final ScoringModel model;
    private final Columns c;
    private final DocumentScorer scorer;
    private final ArrayDeque<Row> ready = new ArrayDeque<>();

    PartitionScores(Iterator<Row> rows, ScoringModel model, Columns c) {
      this.rows = rows;
      this.model = model;
      this.c = c;
      this.scorer = new DocumentScorer(model, c.batchSize(), c.embed());
      TaskContext task = TaskContext.get();
      if (task != null) {
        task.addTaskCompletionListener((TaskCompletionListener) t -> scorer.close());
      }
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
        scorer.close();
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
      String[] reasons = new String[chunk.size()];
      List<String> texts = new ArrayList<>();
      List<String> tokenizers = new ArrayList<>();
      for (int d = 0; d < chunk.size(); d++) {
        Row r = chunk.get(d);
        String text = r.isNullAt(c.textIndex()) ? null : r.getString(c.textIndex());
        String source = c.sourceIndex() < 0 || r.isNullAt(c.sourceIndex()) ? null : r.getString(c.sourceIndex());
        String name = model.tokenizerFor(source);
        reasons[d] = text == null ? "null text" : text.isEmpty() ? "empty text"
            : name == null ? ScoringModel.noTokenizer(source, c.sourceIndex() >= 0) : null;
        if (reasons[d] == null) {
          texts.add(text);
          tokenizers.add(name);
        }
      }
      Iterator<DocumentScorer.Score> scores = scorer.score(texts, tokenizers).iterator();
      List<Row> out = new ArrayList<>(chunk.size());
      for (int d = 0; d < chunk.size(); d++) {
        Row r = chunk.get(d);
        Object[] values = new Object[r.size() + (c.embed() ? 4 : 3)];
        for (int i = 0; i < r.size(); i++) {
          values[i] = r.get(i);
        }
        if (reasons[d] == null) {
          DocumentScorer.Score score = scores.next();
          values[r.size()] = score.bitsPerByte();
          values[r.size() + 1] = score.tokens();
          if (c.embed()) {
            values[r.size() + 3] = score.embedding();
          }
        }
        values[r.size() + 2] = reasons[d];
        out.add(RowFactory.create(values));
      }
      return out;
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
