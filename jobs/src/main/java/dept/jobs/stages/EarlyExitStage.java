package dept.jobs.stages;

import dept.train.model.DecoderLm;
import dept.eval.EarlyExit;
import dept.jobs.run.Stage;
import dept.jobs.run.StageContext;
import dept.prep.io.AtomicOutput;
import dept.prep.tokenizer.VocabConfig;
import dept.train.rounds.BlockFiles;
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
 * {@code dept early-exit}: trains the first {@code +RTD} variant again with each generator of
 * {@code train.rtd.compare_generators} (same settings otherwise), then scores every discriminator on
 * each source's validation blocks at every exit threshold ({@code train.rtd.thresholds}), on shared
 * corrupted sets: one per generator kind (unigram, uniform, and mlm from the variant's own trained
 * generator), identical for every discriminator scored on it, so "is the generator needed?"
 * compares the discriminators on the same task. Writes {@code evaluation/early_exit}.
 */
public final class EarlyExitStage implements Stage {

  @Override
  public String name() {
    return "early-exit";
  }

  /** A discriminator to score: the variant's name and the model trained with one generator. */
  private record Discriminator(String variant, TrainedModel model) {}

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
      List<Discriminator> group = new ArrayList<>(List.of(new Discriminator(v.name(), model)));
      if (v.equals(variants.get(0))) {
        group.addAll(compared(ctx, v, blocks));
      }
      rows.addAll(score(ctx, group, model, blocks));
    }
    AtomicOutput.writeParquet(ctx.spark().createDataFrame(rows.stream().map(r -> RowFactory.create(r.values())).toList(), EarlyExit.SCHEMA)
        .coalesce(1), ctx.layout().earlyExit(), ctx.hadoop());
    System.out.print(EarlyExit.markdown(EarlyExit.summarize(rows)));
    System.out.printf("early exit: %s%n", ctx.layout().earlyExit());
  }

  /** {@code first} trained again with each other generator of {@code compare_generators}. */
  private static List<Discriminator> compared(StageContext ctx, Variant first, Dataset<Row> blocks) {
    TrainConfig train = ctx.config().train();
    List<String> sources = TrainStage.trainingSources(ctx, blocks);
    List<String> tokenizers = new ArrayList<>(first.globalVocabulary() ? List.of(VocabConfig.GLOBAL) : sources);
    TokenizerTables tables = TokenizerTables.load(ctx, tokenizers);
    List<Discriminator> out = new ArrayList<>();
    for (RtdConfig.Generator g : train.rtd().compareGenerators()) {
      if (g.equals(train.rtd().generator())) {
        continue;
      }
      TrainConfig other = train.toBuilder().rtd(train.rtd().withGenerator(g)).build();
      RoundEngine engine = new RoundEngine(ctx.spark(), first, other, ctx.config().model(), ctx.config().tokenize().seqLen(),
          ctx.layout().rtdGeneratorRuns(g.key()), tables.vocabSizes(), tables.tokenBytes());
      RoundEngine.Outcome trained = engine.run(BlockFiles.at(ctx.layout().blocks(), ctx.hadoop()), sources, false);
      out.add(new Discriminator(first.name(), engine.export(trained, sources)));
    }
    return out;
  }

  /**
   * Every discriminator of {@code group} on each source's validation blocks (the ones training
   * validated on) at every threshold, in Spark, on each shared corrupted set: unigram replacements
   * from the counts of the source's train blocks, uniform ones, and mlm samples from
   * {@code generatorOwner}'s generator when it has one.
   */
  private static List<EarlyExit.Row> score(StageContext ctx, List<Discriminator> group, TrainedModel generatorOwner, Dataset<Row> blocks) {
    String variant = group.get(0).variant();
    Map<String, String> tokenizerOf = new TreeMap<>();
    ctx.spark().read().parquet(ctx.layout().trainValidation(variant)).select("source").distinct().collectAsList()
        .forEach(r -> tokenizerOf.put(r.getString(0), generatorOwner.tableOf(r.getString(0))));
    if (tokenizerOf.isEmpty()) {
      return List.of();
    }
    Map<String, Integer> vocab = new TreeMap<>();
    tokenizerOf.forEach((s, t) -> vocab.put(s, DecoderLm.vocabSizeOf(generatorOwner.embeddings().get(t))));
    Map<String, double[]> unigram = new TreeMap<>();
    UnigramCounts.count(ScoringBlocks.bySource(blocks, "train", tokenizerOf), vocab).forEach((s, c) -> unigram.put(s, RtdModel.unigramCdf(c)));
    List<RtdConfig.Generator> sets = new ArrayList<>(List.of(RtdConfig.Generator.UNIGRAM, RtdConfig.Generator.UNIFORM));
    if (generatorOwner.rtd().generator() == RtdConfig.Generator.MLM) {
      sets.add(0, RtdConfig.Generator.MLM);
    }
    BroadcastModel generator = broadcast(ctx, generatorOwner);
    List<EarlyExit.Row> rows = new ArrayList<>();
    try {
      for (Discriminator d : group) {
        BroadcastModel weights = d.model() == generatorOwner ? generator : broadcast(ctx, d.model());
        try {
          for (RtdConfig.Generator set : sets) {
            new ScoringJob(16).run(ScoringBlocks.bySource(blocks, "val", tokenizerOf), ctx.config().train().evalBlocks(),
                    new RtdScorer(weights, generator, set, d.model().rtd(), tokenizerOf, unigram, ctx.config().train().seed()))
                .forEach((source, thresholds) -> thresholds.forEach(r -> rows.add(new EarlyExit.Row(variant, d.model().rtd().generator().key(),
                    set.key(), source, r.threshold(), r.positions(), r.replaced(), r.accuracy(), r.auc(), r.skippedFraction(),
                    r.macsFraction(), r.majorityAccuracy()))));
          }
        } finally {
          if (weights != generator) {
            weights.destroy();
          }
        }
      }
    } finally {
      generator.destroy();
    }
    return rows;
  }

  private static BroadcastModel broadcast(StageContext ctx, TrainedModel model) {
    return BroadcastModel.of(ctx.spark(), model.model(), model.seqLen(), model.body(), model.embeddings());
  }
}
