package dept.jobs.stages;

import dept.train.model.DecoderLm;
import dept.eval.EarlyExit;
import dept.jobs.run.Stage;
import dept.jobs.run.StageContext;
import dept.prep.io.AtomicOutput;
import dept.prep.tokenizer.VocabConfig;
import dept.train.rounds.RoundEngine;
import dept.train.rounds.Variant;
import dept.train.rtd.RtdConfig;
import dept.train.rounds.TrainConfig;
import dept.train.rounds.TrainedModel;
import dept.train.rtd.RtdModel;
import dept.train.scoring.BroadcastModel;
import dept.train.scoring.RtdScorer;
import dept.train.scoring.ScoringBlocks;
import dept.train.scoring.ScoringJob;
import dept.train.scoring.UnigramCounts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * {@code dept early-exit}: scores every trained {@code +RTD} variant's replaced-token detection on
 * each source's validation blocks at every exit threshold ({@code train.rtd.thresholds}), and
 * trains the first one again with each generator of {@code train.rtd.compare_generators} (same
 * settings otherwise) to answer whether the generator is needed. Writes {@code evaluation/early_exit}.
 */
public final class EarlyExitStage implements Stage {

  @Override
  public String name() {
    return "early-exit";
  }

  @Override
  public void run(StageContext ctx) {
    TrainConfig train = ctx.config().train();
    List<Variant> variants = train.variants().stream().filter(Variant::rtd).toList();
    if (variants.isEmpty()) {
      System.out.println("early-exit: no +RTD variant in train.variants (or train.objective: rtd); nothing to score");
      return;
    }
    ctx.requireComplete(ctx.layout().blocks(), "tokenize");
    Dataset<Row> blocks = ctx.spark().read().parquet(ctx.layout().blocks());
    List<EarlyExit.Row> rows = new ArrayList<>();
    for (Variant v : variants) {
      ctx.requireComplete(ctx.layout().trainModel(v.name()), "train");
      TrainedModel model = TrainedModel.load(ctx.layout().trainModel(v.name()), ctx.hadoop());
      rows.addAll(score(ctx, v.name(), model, blocks));
    }
    Variant first = variants.get(0);
    List<String> sources = TrainStage.trainingSources(ctx, blocks);
    List<String> tokenizers = new ArrayList<>(first.globalVocabulary() ? List.of(VocabConfig.GLOBAL) : sources);
    TokenizerTables tables = TokenizerTables.load(ctx, tokenizers);
    for (RtdConfig.Generator g : train.rtd().compareGenerators()) {
      if (g.equals(train.rtd().generator())) {
        continue;
      }
      TrainConfig other = train.toBuilder().rtd(train.rtd().withGenerator(g)).build();
      RoundEngine engine = new RoundEngine(ctx.spark(), first, other, ctx.config().model(), ctx.config().tokenize().seqLen(),
          ctx.layout().rtdGeneratorRuns(g.key()), tables.vocabSizes(), tables.tokenBytes());
      TrainedModel model = engine.export(engine.run(blocks, sources, false), sources);
      rows.addAll(score(ctx, first.name(), model, blocks));
    }
    List<Row> out = new ArrayList<>();
    rows.forEach(r -> out.add(RowFactory.create(r.variant(), r.generator(), r.source(), r.threshold(), r.positions(), r.replaced(),
        r.accuracy(), r.auc(), r.skippedFraction(), r.majorityAccuracy())));
    AtomicOutput.writeParquet(ctx.spark().createDataFrame(out, EarlyExit.SCHEMA).coalesce(1), ctx.layout().earlyExit(), ctx.hadoop());
    System.out.print(EarlyExit.markdown(EarlyExit.summarize(rows)));
    System.out.printf("early exit: %s%n", ctx.layout().earlyExit());
  }

  /**
   * One model on each source's validation blocks (the ones training validated on) at every
   * threshold, in Spark: replacements drawn from the unigram counts of the source's train blocks.
   */
  private static List<EarlyExit.Row> score(StageContext ctx, String variant, TrainedModel model, Dataset<Row> blocks) {
    Map<String, String> tokenizerOf = new TreeMap<>();
    ctx.spark().read().parquet(ctx.layout().trainValidation(variant)).select("source").distinct().collectAsList()
        .forEach(r -> tokenizerOf.put(r.getString(0), model.embeddings().containsKey(r.getString(0)) ? r.getString(0) : VocabConfig.GLOBAL));
    if (tokenizerOf.isEmpty()) {
      return List.of();
    }
    Map<String, Integer> vocab = new TreeMap<>();
    tokenizerOf.forEach((s, t) -> vocab.put(s, DecoderLm.vocabSizeOf(model.embeddings().get(t))));
    Map<String, double[]> unigram = new TreeMap<>();
    UnigramCounts.count(ScoringBlocks.bySource(blocks, "train", tokenizerOf), vocab).forEach((s, c) -> unigram.put(s, RtdModel.unigramCdf(c)));
    BroadcastModel weights = BroadcastModel.of(ctx.spark(), model.model(), model.seqLen(), model.body(), model.embeddings());
    List<EarlyExit.Row> rows = new ArrayList<>();
    try {
      new ScoringJob(16).run(ScoringBlocks.bySource(blocks, "val", tokenizerOf), ctx.config().train().evalBlocks(),
              new RtdScorer(weights, model.rtd(), tokenizerOf, unigram, ctx.config().train().seed()))
          .forEach((source, thresholds) -> thresholds.forEach(r -> rows.add(new EarlyExit.Row(variant, model.rtd().generator().key(), source,
              r.threshold(), r.positions(), r.replaced(), r.accuracy(), r.auc(), r.skippedFraction(), r.majorityAccuracy()))));
    } finally {
      weights.destroy();
    }
    return rows;
  }
}
