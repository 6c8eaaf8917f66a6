package dept.eval;

import dept.prep.io.AtomicOutput;
import dept.prep.io.HadoopFiles;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/** {@code study/report/}: report.md with the study's tables and its PNG charts, written as one unit ({@code _SUCCESS} last). */
public final class StudyReport {

  /**
   * @param setup Markdown describing corpus, model, budget and machine
   * @param reference the arm the memory and communication ratios are relative to
   * @param differences pairs of arms to compare, paired by seed
   * @param newSource the extension's held-out source (null: no extension)
   * @param sweep the extension sweep's trials over seeds (empty without {@code extend.sweep})
   * @param setting the config's own lr, alpha and data mix, where the sweep's tables are sliced
   * @param scone the arms SCONE's sections compare (null: no {@code +SCONE} arm)
   * @param curves every arm's validation at each evaluated round, per seed
   * @param curveReference the arm the curves' gaps are measured to (the step-matched STD baseline)
   * @param lrRuns the swept arms at every learning rate, the config's included (empty: no sweep)
   * @param configLr the config's learning rate
   * @param averaging each source's local and aggregated score at every validation round (empty without {@code train.local_validation})
   */
  public record Contents(String title, String setup, List<Study.ArmRun> runs, List<Study.SourceScore> scores, String reference,
      List<Study.Difference> differences, String extensionBase, String newSource, List<Study.ExtensionRun> extension,
      List<ExtensionFrontier.Point> sweep, ExtensionFrontier.Setting setting, SconeStudy.Arms scone, List<LearningCurves.Point> curves,
      String curveReference, List<LrRobustness.Run> lrRuns, double configLr, List<AveragingCost.Point> averaging) {}

  private StudyReport() {}

  /** The report as Markdown (also what the command prints). */
  public static String markdown(Contents c) {
    StringBuilder md = new StringBuilder("# ").append(c.title()).append("\n\n").append(c.setup()).append('\n');
    md.append("## Arms\n\nBits per byte is total validation nats / (UTF-8 bytes x ln 2): comparable across tokenizers. "
        + "Unigram-normalised perplexity divides each source's perplexity by that of a unigram model of the same tokenizer "
        + "(add-one smoothed train-split frequencies) on the same tokens; its geometric mean over sources is shown with the "
        + "seed-to-seed factor. Embedding parameters per source: the tables one source's task holds and trains. "
        + "Bytes: serialised parameters tasks sent to / received from the driver over the whole run.\n\n");
    md.append(Study.armsMarkdown(c.runs(), c.reference())).append('\n');
    md.append("![bits per byte per arm](arms_bits_per_byte.png)\n\n");
    if (!c.differences().isEmpty()) {
      md.append("## Differences against seed noise\n\n").append(Study.differencesMarkdown(c.differences())).append('\n');
    }
    md.append(LearningCurves.rowsMarkdown(c.curves()));
    md.append(LearningCurves.markdown(c.curves(), c.curveReference()));
    md.append(AveragingCost.markdown(c.averaging()));
    md.append(LrRobustness.markdown(c.lrRuns(), c.configLr()));
    if (c.scone() != null) {
      md.append(SconeStudy.markdown(c.runs(), c.scone()));
    }
    md.append("## Bits per byte per source (mean over seeds)\n\n")
        .append(Study.perSourceMarkdown(Study.perSourceMeans(c.scores(), Study.SourceScore::bitsPerByte), "%.3f")).append('\n');
    md.append("![bits per byte per source](per_source_bits_per_byte.png)\n\n");
    md.append("## Unigram-normalised perplexity per source (mean over seeds)\n\n")
        .append(Study.perSourceMarkdown(Study.perSourceMeans(c.scores(), Study.SourceScore::unigramNormalizedPerplexity), "%.3f"))
        .append('\n');
    if (c.newSource() != null && !c.extension().isEmpty()) {
      md.append("## Extension of ").append(c.extensionBase()).append(" to ").append(c.newSource())
          .append(" (held out of training)\n\nBits per byte; forgetting = change on the original sources (+ is worse).\n\n")
          .append(Study.extensionMarkdown(c.newSource(), c.extension())).append('\n');
      md.append("![extension](extension.png)\n");
    }
    if (c.newSource() != null && !c.sweep().isEmpty()) {
      md.append(ExtensionFrontier.section("The extension sweep (`extend.sweep`)", c.newSource(), c.sweep(), c.setting()));
    }
    return md.toString();
  }

  public static void write(String dir, Contents c, Configuration conf) {
    AtomicOutput.writeDirectory(dir, conf, (fs, tmp) -> {
      HadoopFiles.writeBytes(fs, new Path(tmp, "arms_bits_per_byte.png"), StudyPlots.armBitsPerByte(c.runs()));
      HadoopFiles.writeBytes(fs, new Path(tmp, "per_source_bits_per_byte.png"),
          StudyPlots.perSource(Study.perSourceMeans(c.scores(), Study.SourceScore::bitsPerByte)));
      if (!LrRobustness.markdown(c.lrRuns(), c.configLr()).isEmpty()) {
        HadoopFiles.writeBytes(fs, new Path(tmp, "lr_robustness.png"), LrRobustness.plot(c.lrRuns()));
      }
      if (!c.averaging().isEmpty()) {
        HadoopFiles.writeBytes(fs, new Path(tmp, "averaging_cost.png"), AveragingCost.plot(c.averaging()));
      }
      if (!c.curves().isEmpty()) {
        HadoopFiles.writeBytes(fs, new Path(tmp, "learning_curves.png"), LearningCurves.plot(c.curves()));
      }
      if (c.scone() != null) {
        for (java.util.Map.Entry<String, byte[]> plot : SconeStudy.plots(c.runs(), c.scone()).entrySet()) {
          HadoopFiles.writeBytes(fs, new Path(tmp, plot.getKey()), plot.getValue());
        }
      }
      if (c.newSource() != null && !c.extension().isEmpty()) {
        HadoopFiles.writeBytes(fs, new Path(tmp, "extension.png"), StudyPlots.extension(c.newSource(), c.extension()));
      }
      if (c.newSource() != null && !c.sweep().isEmpty()) {
        for (java.util.Map.Entry<String, byte[]> plot : ExtensionFrontier.plots(c.newSource(), c.sweep(), c.setting()).entrySet()) {
          HadoopFiles.writeBytes(fs, new Path(tmp, plot.getKey()), plot.getValue());
        }
      }
      HadoopFiles.writeBytes(fs, new Path(tmp, "report.md"), markdown(c).getBytes(StandardCharsets.UTF_8));
    });
  }
}
