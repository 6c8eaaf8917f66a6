package dept.jobs.stages;

import dept.jobs.config.ConfigException;
import dept.jobs.run.Stage;
import dept.jobs.run.StageContext;
import dept.prep.tokenizer.VocabConfig;
import dept.train.rounds.BlockFiles;
import dept.train.rounds.RoundEngine;
import dept.train.rounds.RoundTraffic;
import dept.train.rounds.Variant;
import dept.train.rounds.TrainConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import dept.prep.ngram.NgramJob;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code dept train}: runs every configured DEPT variant on the packed blocks, one after the other
 * in the same Spark session, and writes each one's model, metrics, validation and timings.
 */
public final class TrainStage implements Stage {

  private static final Logger LOG = LoggerFactory.getLogger(TrainStage.class);

  private final Variant onlyVariant;
  private final boolean resume;

  /** @param onlyVariant a variant to run instead of {@code train.variants} (null: all of them) */
  public TrainStage(String onlyVariant, boolean resume) {
    this.onlyVariant = onlyVariant == null ? null : parsed(onlyVariant);
    this.resume = resume;
  }

  /** {@code --variant}'s value; a bad one is an option error (exit 2), found before any work. */
  private static Variant parsed(String variant) {
    try {
      return Variant.parse(variant);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--variant: " + e.getMessage());
    }
  }

  @Override
  public String name() {
    return "train";
  }

  /** Refuses, before any round, a result limit one round's mean would exceed (it would fail at the first round). */
  private static void requireResultLimit(StageContext ctx, TrainConfig train, int sources, Map<String, Integer> vocab, int seqLen) {
    long limit = ctx.spark().sparkContext().conf().getSizeAsBytes("spark.driver.maxResultSize", "1g");
    int largestVocab = java.util.Collections.max(vocab.values());
    for (Variant v : train.variants()) {
      int perRound = train.sourcesPerRound() == 0 ? sources : Math.min(train.sourcesPerRound(), sources);
      int tasks = (v.mixture() ? 1 : perRound) * train.replicas();
      try {
        RoundTraffic.of(v, ctx.config().model(), seqLen, v.globalVocabulary() ? vocab.get(VocabConfig.GLOBAL) : largestVocab,
            tasks, train.shardBytes()).requireResultLimit(limit);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(e.getMessage());
      }
    }
  }

  @Override
  public void run(StageContext ctx) {
    ctx.requireComplete(ctx.layout().blocks(), "tokenize");
    TrainConfig train = onlyVariant == null ? ctx.config().train() : ctx.config().train().only(onlyVariant);
    Dataset<Row> blocks = ctx.spark().read().parquet(ctx.layout().blocks());
    List<String> sources = trainingSources(ctx, blocks);
    boolean needGlobal = train.variants().stream().anyMatch(Variant::globalVocabulary);
    List<String> tokenizers = new ArrayList<>(sources);
    if (needGlobal) {
      tokenizers.add(VocabConfig.GLOBAL);
    }
    TokenizerTables tables = TokenizerTables.load(ctx, tokenizers);
    int seqLen = ctx.config().tokenize().seqLen();
    LOG.info("train: variants {}, {} sources, R = {} rounds of H = {} steps, {} per round, {} replica(s), inner state {}, outer {}",
        train.variants(), sources.size(), train.rounds(), train.localSteps(),
        train.sourcesPerRound() == 0 ? "all" : train.sourcesPerRound(), train.replicas(), train.innerState(), train.outer().kind());

    requireResultLimit(ctx, train, sources.size(), tables.vocabSizes(), seqLen);
    Map<String, List<int[]>> fgrams = train.variants().stream().anyMatch(Variant::scone)
        ? fgramSets(ctx) : Map.of();
    TrainOutputs outputs = new TrainOutputs(ctx);
    for (Variant v : train.variants()) {
      String variant = v.name();
      RoundEngine engine = new RoundEngine(ctx.spark(), v, train, ctx.config().model(), seqLen,
          ctx.layout().trainCheckpoints(variant), tables.vocabSizes(), tables.tokenBytes()).withFgrams(fgrams);
      long start = System.nanoTime();
      RoundEngine.Outcome outcome = engine.run(BlockFiles.at(ctx.layout().blocks(), ctx.hadoop()), sources, resume);
      engine.export(outcome, sources).save(ctx.layout().trainModel(variant), ctx.hadoop());
      outputs.write(variant, outcome.log());
      System.out.printf("%s: %d rounds in %.1f s%s; model %s%n", variant, train.rounds(), (System.nanoTime() - start) / 1e9,
          outcome.resumedFrom() > 0 ? " (resumed after round " + outcome.resumedFrom() + ")" : "", ctx.layout().trainModel(variant));
    }
    outputs.printSummary(train.variants().stream().map(Variant::name).toList(), train.localSteps());
  }

  /** The sources DEPT trains on: every source in the blocks but {@code extend.new_source}, which `dept extend` adds later. */
  public static List<String> trainingSources(StageContext ctx, Dataset<Row> blocks) {
    String held = ctx.config().extend().newSource();
    List<String> sources = new ArrayList<>();
    blocks.select("source").distinct().orderBy("source").collectAsList().forEach(r -> {
      if (!r.getString(0).equals(held)) {
        sources.add(r.getString(0));
      }
    });
    if (held != null) {
      LOG.info("{} is extend.new_source: kept out of training for `dept extend`", held);
    }
    return sources;
  }

  /** The ngrams stage's f-gram sets by tokenizer, most frequent first (what {@code +SCONE} variants read). */
  public static Map<String, List<int[]>> fgramSets(StageContext ctx) {
    ctx.requireComplete(ctx.layout().fgrams(), "ngrams");
    Map<String, List<int[]>> sets = NgramJob.collect(ctx.spark().read().parquet(ctx.layout().fgrams()));
    LOG.info("SCONE: f-gram sets {}", sets.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().size()).toList());
    return sets;
  }
}
