package dept.jobs.stages;

import dept.jobs.run.Stage;
import dept.jobs.run.StageContext;
import dept.train.rounds.Variant;
import dept.train.rounds.TrainedModel;
import dept.train.scone.table.SconeTableJob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code dept scone-precompute}: for every trained {@code +SCONE} variant, runs its f-gram model
 * over every f-gram and token of each tokenizer it has and writes
 * {@code scone/<variant>/fgram_embeddings/table=<tokenizer>/} Parquet; prints rows, bytes and
 * throughput.
 */
public final class SconePrecomputeStage implements Stage {

  @Override
  public String name() {
    return "scone-precompute";
  }

  /** The configured variants with SCONE inputs. */
  static List<Variant> sconeVariants(StageContext ctx) {
    return ctx.config().train().variants().stream().filter(Variant::scone).toList();
  }

  @Override
  public void run(StageContext ctx) {
    List<String> variants = sconeVariants(ctx).stream().map(Variant::name).toList();
    if (variants.isEmpty()) {
      System.out.println("scone-precompute: no +SCONE variant in train.variants (e.g. SPEC+SCONE); nothing to precompute");
      return;
    }
    ctx.requireComplete(ctx.layout().fgrams(), "ngrams");
    Dataset<Row> fgrams = ctx.spark().read().parquet(ctx.layout().fgrams());
    int partitions = Math.max(2, ctx.spark().sparkContext().defaultParallelism() * 2);
    for (String variant : variants) {
      ctx.requireComplete(ctx.layout().trainModel(variant), "train");
      TrainedModel model = TrainedModel.load(ctx.layout().trainModel(variant), ctx.hadoop());
      String target = ctx.layout().fgramEmbeddings(variant);
      long start = System.nanoTime();
      List<SconeTableJob.TableStats> tables = new SconeTableJob(ctx.spark(), ctx.hadoop()).run(model, fgrams, target, partitions);
      double secs = (System.nanoTime() - start) / 1e9;
      long rows = tables.stream().mapToLong(SconeTableJob.TableStats::rows).sum();
      long fgramRows = tables.stream().mapToLong(SconeTableJob.TableStats::fgrams).sum();
      System.out.printf("%s: SCONE lookup tables (f-gram model %s, d = %d)%n", variant, model.scone().fgramModel(model.model()),
          model.model().dModel());
      System.out.printf("%-10s %10s %10s %10s %12s %12s%n", "table", "f-grams", "tokens", "rows", "MB on disk", "MB in RAM");
      for (SconeTableJob.TableStats t : tables) {
        System.out.printf(Locale.ROOT, "%-10s %10d %10d %10d %12.2f %12.2f%n", t.table(), t.fgrams(), t.tokens(), t.rows(),
            bytesOnDisk(ctx, target + "/table=" + t.table()) / 1e6, t.rows() * model.model().dModel() * 4 / 1e6);
      }
      System.out.printf(Locale.ROOT, "%s: %d rows (%d f-grams) in %.1f s: %.0f f-grams/s, %.0f rows/s; %.2f MB on disk -> %s%n", variant,
          rows, fgramRows, secs, fgramRows / secs, rows / secs, bytesOnDisk(ctx, target) / 1e6, target);
    }
  }

  private static long bytesOnDisk(StageContext ctx, String dir) {
    Path p = new Path(dir);
    try {
      return p.getFileSystem(ctx.hadoop()).getContentSummary(p).getLength();
    } catch (IOException e) {
      throw new UncheckedIOException("could not measure " + dir, e);
    }
  }
}
