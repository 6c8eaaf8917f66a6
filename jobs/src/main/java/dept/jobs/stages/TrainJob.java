package dept.jobs.stages;

import dept.jobs.cli.Stage;
import dept.jobs.cli.StageContext;
import dept.prep.io.HadoopFiles;
import dept.prep.tokenizer.BpeModel;
import dept.prep.tokenizer.TokenizerJson;
import dept.prep.tokenizer.VocabConfig;
import dept.train.dept.RoundEngine;
import dept.train.dept.SharingPolicy;
import dept.train.dept.TrainConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code dept train}: runs every configured DEPT variant on the packed blocks, one after the other
 * in the same Spark session, and writes each one's model, metrics, validation and timings.
 */
public final class TrainJob implements Stage {

  private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

  private final String onlyVariant;
  private final boolean resume;

  /** @param onlyVariant a variant to run instead of {@code train.variants} (null: all of them) */
  public TrainJob(String onlyVariant, boolean resume) {
    this.onlyVariant = onlyVariant;
    this.resume = resume;
  }

  @Override
  public String name() {
    return "train";
  }

  @Override
  public void run(StageContext ctx) {
    ctx.requireComplete(ctx.layout().blocks(), "tokenize");
    TrainConfig train = onlyVariant == null ? ctx.config().train() : ctx.config().train().only(onlyVariant);
    Dataset<Row> blocks = ctx.spark().read().parquet(ctx.layout().blocks());
    List<String> sources = new ArrayList<>();
    blocks.select("source").distinct().orderBy("source").collectAsList().forEach(r -> sources.add(r.getString(0)));
    boolean needGlobal = train.variants().stream().map(SharingPolicy::of).anyMatch(SharingPolicy::globalVocabulary);
    Map<String, Integer> vocabSizes = new TreeMap<>();
    Map<String, int[]> tokenBytes = new TreeMap<>();
    List<String> tokenizers = new ArrayList<>(sources);
    if (needGlobal) {
      tokenizers.add(VocabConfig.GLOBAL);
    }
    for (String name : tokenizers) {
      BpeModel model = readTokenizer(ctx, name);
      vocabSizes.put(name, model.vocabSize());
      int[] bytes = new int[model.vocabSize()];
      for (int id = BpeModel.FIRST_BYTE_ID; id < bytes.length; id++) {
        bytes[id] = model.tokenBytes(id).length;
      }
      tokenBytes.put(name, bytes);
    }
    int seqLen = ctx.config().tokenize().seqLen();
    LOG.info("train: variants {}, {} sources, R = {} rounds of H = {} steps, {} per round, {} replica(s), inner state {}, outer {}",
        train.variants(), sources.size(), train.rounds(), train.localSteps(),
        train.sourcesPerRound() == 0 ? "all" : train.sourcesPerRound(), train.replicas(), train.innerState(), train.outer().kind());

    TrainOutputs outputs = new TrainOutputs(ctx);
    for (String variant : train.variants()) {
      SharingPolicy policy = SharingPolicy.of(variant);
      RoundEngine engine = new RoundEngine(ctx.spark(), policy, train, ctx.config().model(), seqLen,
          ctx.layout().trainCheckpoints(variant), vocabSizes, tokenBytes);
      long start = System.nanoTime();
      RoundEngine.Outcome outcome = engine.run(blocks, sources, resume);
      engine.export(outcome, sources).save(ctx.layout().trainModel(variant), ctx.hadoop());
      outputs.write(variant, outcome.log());
      System.out.printf("%s: %d rounds in %.1f s%s; model %s%n", variant, train.rounds(), (System.nanoTime() - start) / 1e9,
          outcome.resumedFrom() > 0 ? " (resumed after round " + outcome.resumedFrom() + ")" : "", ctx.layout().trainModel(variant));
    }
    outputs.printSummary(train.variants(), train.localSteps());
  }

  private static BpeModel readTokenizer(StageContext ctx, String name) {
    String path = ctx.layout().tokenizerJson(name);
    try {
      return TokenizerJson.read(HadoopFiles.read(path, ctx.hadoop())).model();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(path + " is missing: run `dept vocab` and `dept tokenize` on the same sources first");
    }
  }
}
