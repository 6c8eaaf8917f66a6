package dept.jobs.stages;

import dept.jobs.run.Stage;
import dept.jobs.run.StageContext;
import dept.prep.io.AtomicOutput;
import dept.prep.io.HadoopFiles;
import dept.prep.io.InputPathException;
import dept.prep.pack.EmbeddingMemory;
import dept.prep.pack.TokenizeJob;
import dept.prep.tokenizer.TokenizerJson;
import dept.prep.tokenizer.VocabConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code dept tokenize}: encodes and packs every source; reports compression and embedding memory. */
public final class TokenizeStage implements Stage {

  private static final Logger LOG = LoggerFactory.getLogger(TokenizeStage.class);

  private static final StructType MEMORY_SCHEMA =
      new StructType()
          .add("variant", DataTypes.StringType, false)
          .add("source", DataTypes.StringType, false)
          .add("rows", DataTypes.LongType, false)
          .add("bytes", DataTypes.LongType, false);

  @Override
  public String name() {
    return "tokenize";
  }

  @Override
  public void run(StageContext ctx) {
    String documentsPath = ctx.layout().documents();
    ctx.requireComplete(documentsPath, "ingest");
    Dataset<Row> documents = ctx.spark().read().parquet(documentsPath);
    List<String> sources = new ArrayList<>();
    documents.select("source").distinct().orderBy("source").collectAsList().forEach(r -> sources.add(r.getString(0)));
    Map<String, String> tokenizers = new TreeMap<>();
    for (String name : names(sources)) {
      String path = ctx.layout().tokenizerJson(name);
      try {
        tokenizers.put(name, HadoopFiles.read(path, ctx.hadoop()));
      } catch (InputPathException e) {
        throw new InputPathException(path + " is missing: run `dept vocab` on the same sources first");
      }
    }
    LOG.info("tokenize: {} sources, {} tokenizers, encoder {}", sources.size(), tokenizers.size(), ctx.config().tokenize().encoder());

    TokenizeJob.Result result = new TokenizeJob(ctx.spark(), ctx.config().tokenize()).run(documents, tokenizers);
    try {
      AtomicOutput.writeParquet(result.blocks(), ctx.layout().blocks(), ctx.hadoop(), TokenizeJob.BLOCK_WRITE_OPTIONS,
          "tokenizer", "source");
      Dataset<Row> stats = TokenizeJob.compression(result.encoded());
      AtomicOutput.writeParquet(stats.coalesce(1), ctx.layout().tokenizeStats(), ctx.hadoop());
      Dataset<Row> blockCounts = ctx.spark().read().parquet(ctx.layout().blocks()).groupBy("tokenizer", "source", "split").count();
      printCompression(stats.join(blockCounts, scala.jdk.javaapi.CollectionConverters.asScala(List.of("tokenizer", "source", "split")).toSeq())
          .orderBy("tokenizer", "source", "split").collectAsList());

      Map<String, Integer> sourceVocab = new TreeMap<>();
      sources.forEach(s -> sourceVocab.put(s, TokenizerJson.read(tokenizers.get(s)).vocabSize()));
      int globalVocab = tokenizers.containsKey(VocabConfig.GLOBAL) ? TokenizerJson.read(tokenizers.get(VocabConfig.GLOBAL)).vocabSize() : 0;
      Map<String, Long> used = ctx.config().tokenize().withGlobal() ? TokenizeJob.globalRowsUsed(result.encoded()) : Map.of();
      List<EmbeddingMemory.Row> memory = EmbeddingMemory.of(sourceVocab, globalVocab, used, ctx.config().model().dModel());
      List<Row> memoryRows = new ArrayList<>();
      memory.forEach(m -> memoryRows.add(RowFactory.create(m.variant(), m.source(), m.rows(), m.bytes())));
      AtomicOutput.writeParquet(ctx.spark().createDataFrame(memoryRows, MEMORY_SCHEMA).coalesce(1), ctx.layout().embeddingMemory(), ctx.hadoop());
      printMemory(memory, ctx.config().model().dModel());
      System.out.printf("blocks: %s%nstats:  %s, %s%n", ctx.layout().blocks(), ctx.layout().tokenizeStats(), ctx.layout().embeddingMemory());
    } finally {
      result.release();
    }
  }

  private List<String> names(List<String> sources) {
    List<String> names = new ArrayList<>(sources);
    names.add(VocabConfig.GLOBAL);
    return names;
  }

  private static void printCompression(List<Row> rows) {
    String fmt = "%-10s %-10s %-6s %9s %11s %11s %11s %8s%n";
    System.out.printf(Locale.ROOT, fmt, "tokenizer", "source", "split", "documents", "tokens", "bytes", "bytes/token", "blocks");
    for (Row r : rows) {
      System.out.printf(Locale.ROOT, "%-10s %-10s %-6s %9d %11d %11d %11.2f %8d%n", r.getString(0), r.getString(1),
          r.getString(2), r.getLong(3), r.getLong(4), r.getLong(5), r.getDouble(6), r.getLong(7));
    }
  }

  private static void printMemory(List<EmbeddingMemory.Row> memory, int dModel) {
    System.out.printf(Locale.ROOT, "embedding memory (float32, d_model %d), totals over sources:%n", dModel);
    for (EmbeddingMemory.Row m : memory) {
      if (m.source().equals("total")) {
        System.out.printf(Locale.ROOT, "  %-5s %10d rows %10.2f MB%n", m.variant(), m.rows(), m.bytes() / 1e6);
      }
    }
  }
}
