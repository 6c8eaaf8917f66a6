package dept.jobs.stages;

import dept.jobs.run.Stage;
import dept.jobs.run.StageContext;
import dept.prep.io.AtomicOutput;
import dept.prep.io.HadoopFiles;
import dept.prep.tokenizer.BpeTokenizer;
import dept.prep.tokenizer.BpeTrainer;
import dept.prep.tokenizer.PreTokenizer;
import dept.prep.tokenizer.TokenizerJson;
import dept.prep.tokenizer.VocabJob;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** {@code dept vocab}: trains every source's tokenizer and the global one; writes tokenizer.json files. */
public final class VocabStage implements Stage {

  @Override
  public String name() {
    return "vocab";
  }

  @Override
  public void run(StageContext ctx) {
    String documentsPath = ctx.layout().documents();
    ctx.requireComplete(documentsPath, "ingest");
    VocabJob stage = new VocabJob(ctx.spark(), ctx.config().vocab());
    Dataset<Row> documents = ctx.spark().read().parquet(documentsPath);
    long t0 = System.nanoTime();
    VocabJob.Result result = stage.fit(documents);
    double seconds = (System.nanoTime() - t0) / 1e9;

    AtomicOutput.writeDirectory(ctx.layout().tokenizers(), ctx.hadoop(), (fs, tmp) -> {
      for (Map.Entry<String, BpeTrainer.Result> t : result.tokenizers().entrySet()) {
        String json = TokenizerJson.write(new BpeTokenizer(PreTokenizer.standard(), t.getValue().model()));
        HadoopFiles.writeBytes(fs, new Path(tmp, t.getKey() + "/tokenizer.json"), json.getBytes(StandardCharsets.UTF_8));
      }
    });
    AtomicOutput.writeParquet(stage.vocabTable(result).coalesce(1), ctx.layout().vocab(), ctx.hadoop());

    System.out.printf(Locale.ROOT, "%-10s %8s %8s %14s%n", "tokenizer", "vocab", "merges", "train bytes");
    result.tokenizers().forEach((name, r) -> System.out.printf(Locale.ROOT, "%-10s %8d %8d %14s%n",
        name, r.model().vocabSize(), r.model().merges().length,
        result.sourceBytes().containsKey(name) ? result.sourceBytes().get(name)
            : result.sourceBytes().values().stream().mapToLong(Long::longValue).sum()));
    System.out.printf(Locale.ROOT, "trained %d tokenizers in %.1f s%ntokenizers: %s%nvocab:      %s%n",
        result.tokenizers().size(), seconds, ctx.layout().tokenizers(), ctx.layout().vocab());
  }
}
