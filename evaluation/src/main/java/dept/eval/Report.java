package dept.eval;

import dept.prep.io.AtomicOutput;
import dept.prep.io.HadoopFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@code report.md} with its PNG charts, written to a hidden directory and renamed into place
 * ({@code _SUCCESS} last), so a half-written report never replaces a complete one.
 */
public final class Report {

  private Report() {}

  /** Everything the report shows. */
  public record Contents(String title, List<VariantSummary> summaries, Map<String, Map<String, Double>> bitsPerByte,
      Map<String, Map<String, double[][]>> lossCurves, Map<String, double[][]> megabytesUp, Scone scone, Extend extension,
      List<EarlyExit.Point> earlyExit) {}

  /**
   * The extension section (null when {@code dept extend} did not run): its base, new source and
   * per-method summary, and the sweep's points at the config's setting (empty without {@code extend.sweep}).
   */
  public record Extend(String base, String newSource, List<Extension.Summary> methods, List<ExtensionFrontier.Point> sweep,
      ExtensionFrontier.Setting setting) {}

  /**
   * The SCONE section (null when no {@code +SCONE} variant ran).
   *
   * @param lookup each source through the lookup table vs through the f-gram model
   * @param scalingVariant the variant the sweep ran on (null when there is no sweep)
   * @param scaling the sweep's points
   */
  public record Scone(List<SconeLookup.Row> lookup, String scalingVariant, List<SconeScaling.Point> scaling) {}

  public static void write(String dir, Contents c, Configuration conf) {
    AtomicOutput.writeDirectory(dir, conf, (fs, tmp) -> {
      StringBuilder md = new StringBuilder("# ").append(c.title()).append("\n\n");
      md.append("Bits per UTF-8 byte is the only fair comparison across tokenizers (SPEC's own vs the global one): "
          + "total validation nats / (bytes x ln 2). Loss is per token of each variant's own tokenizer.\n\n");
      md.append("## Variants\n\n").append(Comparison.markdown(c.summaries())).append('\n');
      md.append("## Bits per byte per source after the last round\n\n").append(Comparison.bitsPerByteMarkdown(c.bitsPerByte()));
      md.append("\n![bits per byte](bits_per_byte.png)\n\n");
      HadoopFiles.writeBytes(fs, new Path(tmp, "bits_per_byte.png"), ReportPlots.bitsPerByte(c.bitsPerByte()));
      md.append("## Validation loss over rounds\n\n");
      for (Map.Entry<String, Map<String, double[][]>> e : c.lossCurves().entrySet()) {
        String file = "loss_" + e.getKey().toLowerCase(java.util.Locale.ROOT).replace('+', '-') + ".png";
        HadoopFiles.writeBytes(fs, new Path(tmp, file), ReportPlots.lossCurves(e.getKey(), e.getValue()));
        md.append("![").append(e.getKey()).append(" validation loss](").append(file).append(")\n\n");
      }
      md.append("## Communication\n\nBytes each variant's tasks sent to the driver (SPEC: the body only; TRIM: "
          + "the body and its rows; GLOB, STD: the whole model).\n\n![bytes communicated](bytes_communicated.png)\n\n");
      HadoopFiles.writeBytes(fs, new Path(tmp, "bytes_communicated.png"), ReportPlots.bytesCommunicated(c.megabytesUp()));
      md.append("## Embedding memory\n\n![embedding memory](embedding_memory.png)\n");
      HadoopFiles.writeBytes(fs, new Path(tmp, "embedding_memory.png"), ReportPlots.embeddingMemory(c.summaries()));
      if (c.scone() != null) {
        writeScone(fs, tmp, md, c.scone());
      }
      if (c.earlyExit() != null && !c.earlyExit().isEmpty()) {
        md.append("\n## ELECTRA: replaced-token detection with early exit\n\n").append(EarlyExit.markdown(c.earlyExit()));
        md.append("\n![early exit](early_exit.png)\n");
        HadoopFiles.writeBytes(fs, new Path(tmp, "early_exit.png"), ReportPlots.earlyExit(c.earlyExit()));
      }
      if (c.extension() != null) {
        md.append("\n## Extension to a new source (neutral residues)\n\n");
        md.append(Extension.markdown(c.extension().base(), c.extension().newSource(), c.extension().methods()));
        md.append("\nNeutral residues: gated adapters (ReLU gate, L1 on their output on original-domain batches); adapter: the same "
            + "without gate or penalty; LoRA: low-rank updates of every projection at the same parameter budget; finetune: the "
            + "whole body. The base is frozen except under finetune. Gate and |output|: mean over tokens and layers on the "
            + "original sources' and the new source's validation blocks.\n\n![extension trade-off](extension_tradeoff.png)\n");
        HadoopFiles.writeBytes(fs, new Path(tmp, "extension_tradeoff.png"),
            ReportPlots.extensionTradeoff(c.extension().newSource(), c.extension().methods()));
        writeFrontier(fs, tmp, md, c.extension());
      }
      HadoopFiles.writeBytes(fs, new Path(tmp, "report.md"), md.toString().getBytes(StandardCharsets.UTF_8));
    });
  }

  /** The sweep's tables and the frontier plots (mean and worst original source), when {@code extend.sweep} ran. */
  static void writeFrontier(FileSystem fs, Path tmp, StringBuilder md, Extend e) throws IOException {
    if (e.sweep().isEmpty()) {
      return;
    }
    md.append(ExtensionFrontier.section("The sweep (`extend.sweep`)", e.newSource(), e.sweep(), e.setting()));
    for (Map.Entry<String, byte[]> plot : ExtensionFrontier.plots(e.newSource(), e.sweep(), e.setting()).entrySet()) {
      HadoopFiles.writeBytes(fs, new Path(tmp, plot.getKey()), plot.getValue());
    }
  }

  private static void writeScone(FileSystem fs, Path tmp, StringBuilder md, Scone s) throws IOException {
    md.append("\n## SCONE\n\n");
    if (!s.lookup().isEmpty()) {
      md.append("At inference the f-gram model is not run: every position's input embedding is read from the precomputed "
          + "table (`dept scone-precompute`) in host memory. Validation bits per byte through the table next to the "
          + "f-gram model's figure from training:\n\n");
      md.append("| variant | source | bits/byte (lookup) | bits/byte (f-gram model) | table rows | f-grams | table MB | lookup us/token |\n");
      md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
      for (SconeLookup.Row r : s.lookup()) {
        md.append(String.format(java.util.Locale.ROOT, "| %s | %s | %.4f | %.4f | %,d | %,d | %.1f | %.3f |%n", r.variant(), r.source(),
            r.bitsPerByteLookup(), r.bitsPerByteFgramModel(), r.tableRows(), r.tableFgrams(), r.tableBytes() / 1e6, r.lookupMicrosPerToken()));
      }
      md.append('\n');
    }
    if (s.scalingVariant() != null && !s.scaling().isEmpty()) {
      md.append(SconeScaling.markdown(s.scalingVariant(), s.scaling())).append('\n');
      HadoopFiles.writeBytes(fs, new Path(tmp, "scone_fgrams.png"), ReportPlots.sconeScaling(s.scaling(), "fgrams"));
      HadoopFiles.writeBytes(fs, new Path(tmp, "scone_layers.png"), ReportPlots.sconeScaling(s.scaling(), "layers"));
      md.append("![SCONE: f-gram count](scone_fgrams.png)\n\n![SCONE: f-gram model size](scone_layers.png)\n");
    }
  }
}
