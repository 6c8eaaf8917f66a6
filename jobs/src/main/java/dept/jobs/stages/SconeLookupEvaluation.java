package dept.jobs.stages;

import dept.eval.Comparison;
import dept.jobs.run.StageContext;
import dept.prep.io.AtomicOutput;
import dept.prep.io.HadoopConfig;
import dept.train.rounds.TrainedModel;
import dept.train.scoring.BroadcastModel;
import dept.train.scoring.LanguageModelScore;
import dept.train.scoring.LanguageModelScorer;
import dept.train.scoring.ScoringBlocks;
import dept.train.scoring.ScoringJob;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * SCONE at inference: every {@code +SCONE} variant scored on each source's validation blocks (the
 * ones training validated on) through its precomputed lookup tables instead of its f-gram model,
 * next to the f-gram model's figure from training; writes {@code evaluation/scone_lookup}. Used by
 * {@code dept evaluate} and by each {@code +SCONE} arm of {@code dept study}.
 */
public final class SconeLookupEvaluation {

  static final StructType SCHEMA = new StructType()
      .add("variant", DataTypes.StringType, false)
      .add("source", DataTypes.StringType, false)
      .add("tokenizer", DataTypes.StringType, false)
      .add("bits_per_byte_lookup", DataTypes.DoubleType, false)
      .add("bits_per_byte_fgram_model", DataTypes.DoubleType, false)
      .add("table_rows", DataTypes.LongType, false)
      .add("table_fgrams", DataTypes.LongType, false)
      .add("table_bytes", DataTypes.LongType, false)
      .add("lookup_us_per_token", DataTypes.DoubleType, false);

  private SconeLookupEvaluation() {}

  /** Scores the {@code +SCONE} ones among {@code runs}, prints the table and writes it (nothing when there is none). */
  public static void run(StageContext ctx, List<Comparison.VariantRun> runs) {
    List<Row> rows = new ArrayList<>();
    for (Comparison.VariantRun run : runs) {
      TrainedModel model = TrainedModel.load(run.model(), ctx.hadoop());
      if (model.scone() == null) {
        continue;
      }
      Map<String, Double> trained = new Comparison(ctx.spark(), ctx.hadoop()).bitsPerByte(List.of(run)).get(run.variant());
      Map<String, String> tokenizerOf = new TreeMap<>();
      trained.keySet().forEach(s -> tokenizerOf.put(s, model.tableOf(s))); // +SCONE tables are named by their tokenizers
      TokenizerTables tok = TokenizerTables.load(ctx, new ArrayList<>(model.embeddings().keySet()));
      Map<String, int[]> bytesBySource = new TreeMap<>();
      tokenizerOf.forEach((s, t) -> bytesBySource.put(s, tok.tokenBytes().get(t)));
      // The validation text training scored: the same documents (eval_bytes) or blocks (eval_blocks).
      Dataset<Row> val = ctx.config().train().validationSample()
          .select(ScoringBlocks.bySource(ctx.spark().read().parquet(ctx.layout().blocks()), "val", tokenizerOf), bytesBySource)
          .select("unit", "block_id", "tokens");
      SortedMap<String, LanguageModelScore> scores = score(ctx, run.variant(), model, val, 0, tokenizerOf, tok.tokenBytes());
      for (String source : trained.keySet()) {
        LanguageModelScore s = scores.get(source);
        if (s == null) {
          continue;
        }
        rows.add(RowFactory.create(run.variant(), source, tokenizerOf.get(source), s.metrics().bitsPerByte(), trained.get(source),
            s.table().rows(), (long) s.table().fgrams(), s.table().bytes(), s.table().microsPerToken()));
      }
    }
    if (rows.isEmpty()) {
      return;
    }
    AtomicOutput.writeParquet(ctx.spark().createDataFrame(rows, SCHEMA).coalesce(1), ctx.layout().sconeLookup(), ctx.hadoop());
    System.out.println("SCONE at inference (lookup table in host memory, f-gram model not run), validation bits per byte:");
    System.out.printf("%-12s %-6s %10s %12s %10s %10s %10s %8s%n", "variant", "source", "lookup", "f-gram model", "|diff|", "rows",
        "table MB", "us/token");
    for (Row r : rows) {
      System.out.printf(Locale.ROOT, "%-12s %-6s %10.4f %12.4f %10.2e %10d %10.1f %8.3f%n", r.getString(0), r.getString(1),
          r.getDouble(3), r.getDouble(4), Math.abs(r.getDouble(3) - r.getDouble(4)), r.getLong(5), r.getLong(7) / 1e6, r.getDouble(8));
    }
    System.out.printf("SCONE lookup evaluation: %s%n", ctx.layout().sconeLookup());
  }

  /** The lookup table directory per tokenizer of a {@code +SCONE} variant (empty for others); scoring tasks load them. */
  private static Map<String, String> sconeTables(StageContext ctx, String variant, TrainedModel model) {
    if (model.scone() == null) {
      return Map.of();
    }
    ctx.requireComplete(ctx.layout().fgramEmbeddings(variant), "scone-precompute");
    Map<String, String> tables = new TreeMap<>();
    model.embeddings().keySet().forEach(t -> tables.put(t, ctx.layout().fgramEmbeddings(variant, t)));
    return tables;
  }

  /** {@code model} on each unit's blocks in a scoring job, its weights broadcast for the job; a {@code +SCONE} model reads its tables. */
  static SortedMap<String, LanguageModelScore> score(StageContext ctx, String variant, TrainedModel model, Dataset<Row> blocks,
      int maxBlocks, Map<String, String> tokenizerOf, Map<String, int[]> tokenBytes) {
    BroadcastModel weights = BroadcastModel.of(ctx.spark(), model.model(), model.seqLen(), model.body(), model.embeddings());
    try {
      return new ScoringJob(16).run(blocks, maxBlocks, new LanguageModelScorer(weights, tokenizerOf, tokenBytes,
          sconeTables(ctx, variant, model), new HadoopConfig(ctx.hadoop())));
    } finally {
      weights.destroy();
    }
  }
}
