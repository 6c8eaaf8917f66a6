package dept.jobs.stages;

import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.max;

import dept.jobs.run.Stage;
import dept.jobs.run.StageContext;
import dept.prep.io.AtomicOutput;
import dept.prep.ngram.NgramJob;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code dept ngrams}: n-gram tables, the selected f-grams per set, and their coverage. */
public final class NgramsStage implements Stage {

  private static final Logger LOG = LoggerFactory.getLogger(NgramsStage.class);

  @Override
  public String name() {
    return "ngrams";
  }

  @Override
  public void run(StageContext ctx) {
    ctx.requireComplete(ctx.layout().blocks(), "tokenize");
    ctx.requireComplete(ctx.layout().vocab(), "vocab");
    Dataset<Row> blocks = ctx.spark().read().parquet(ctx.layout().blocks());
    int vocabSize = ctx.spark().read().parquet(ctx.layout().vocab()).agg(max("token_id")).first().getInt(0) + 1;
    NgramJob stage = new NgramJob(ctx.spark(), ctx.config().ngrams());
    LOG.info("ngrams: n = 2..{}, min count {}, top {} per set, vocabulary up to {}",
        ctx.config().ngrams().maxN(), ctx.config().ngrams().minCount(), ctx.config().ngrams().topK(), vocabSize);

    AtomicOutput.writeParquet(stage.count(blocks, vocabSize), ctx.layout().ngrams(), ctx.hadoop(), "source");
    Dataset<Row> ngrams = ctx.spark().read().parquet(ctx.layout().ngrams());
    AtomicOutput.writeParquet(stage.select(ngrams).coalesce(1), ctx.layout().fgrams(), ctx.hadoop());
    Dataset<Row> fgrams = ctx.spark().read().parquet(ctx.layout().fgrams());
    Dataset<Row> coverage = stage.coverage(blocks, NgramJob.collect(fgrams));
    AtomicOutput.writeParquet(coverage.coalesce(1), ctx.layout().fgramCoverage(), ctx.hadoop());

    System.out.printf(Locale.ROOT, "%-10s %10s %10s %10s%n", "set", "n-grams", "f-grams", "max n");
    Map<String, Long> selected = new TreeMap<>(); // one job for every set's count, not one per set
    fgrams.groupBy("source").count().collectAsList().forEach(r -> selected.put(r.getString(0), r.getLong(1)));
    for (Row r : ngrams.groupBy("source").agg(count("n"), max("n")).orderBy("source").collectAsList()) {
      System.out.printf(Locale.ROOT, "%-10s %10d %10d %10d%n", r.getString(0), r.getLong(1), selected.getOrDefault(r.getString(0), 0L), r.getInt(2));
    }
    System.out.println("validation positions covered by an f-gram of length >= 2, by f-gram set size K:");
    List<Row> rows = ctx.spark().read().parquet(ctx.layout().fgramCoverage()).orderBy("source", "k").collectAsList();
    for (Row r : rows) {
      System.out.printf(Locale.ROOT, "  %-10s K=%-7d (%6d f-grams) %6.1f%% of %d positions%n",
          r.getString(0), r.getInt(1), r.getInt(2), 100 * r.getDouble(5), r.getLong(3));
    }
    System.out.printf("ngrams: %s%nfgrams: %s%ncoverage: %s%n", ctx.layout().ngrams(), ctx.layout().fgrams(), ctx.layout().fgramCoverage());
  }
}
