package dept.eval;

import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** SCONE's scaling sweep as a table: validation bits per byte as the f-gram count or the f-gram model grows. */
public final class SconeScaling {

  public static final StructType SCHEMA = new StructType()
      .add("variant", DataTypes.StringType, false)
      .add("knob", DataTypes.StringType, false)
      .add("fgrams_per_table", DataTypes.LongType, false)
      .add("fgram_layers", DataTypes.IntegerType, false)
      .add("fgram_model_params", DataTypes.LongType, false)
      .add("table_rows", DataTypes.LongType, false)
      .add("table_bytes", DataTypes.LongType, false)
      .add("main_flops_per_token", DataTypes.LongType, false)
      .add("bits_per_byte", DataTypes.DoubleType, false)
      .add("val_loss", DataTypes.DoubleType, false);

  /**
   * One setting.
   *
   * @param knob {@code baseline} (no SCONE), {@code configured}, {@code fgrams} or {@code layers}
   * @param fgramsPerTable f-grams in each tokenizer's table (mean over tables)
   * @param mainFlopsPerToken the main model's inference FLOPs per token: the same in every row
   */
  public record Point(String knob, long fgramsPerTable, int fgramLayers, long fgramModelParams, long tableRows, long tableBytes,
      long mainFlopsPerToken, double bitsPerByte, double valLoss) {}

  private SconeScaling() {}

  public static List<Point> fromRows(List<org.apache.spark.sql.Row> rows) {
    return rows.stream().map(r -> new Point(r.getAs("knob"), r.<Long>getAs("fgrams_per_table"), r.<Integer>getAs("fgram_layers"),
        r.<Long>getAs("fgram_model_params"), r.<Long>getAs("table_rows"), r.<Long>getAs("table_bytes"),
        r.<Long>getAs("main_flops_per_token"), r.<Double>getAs("bits_per_byte"), r.<Double>getAs("val_loss"))).toList();
  }

  public static String markdown(String variant, List<Point> points) {
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
        "SCONE scaling on %s (one knob at a time; main-model inference FLOPs per token stay fixed):%n%n", variant));
    b.append("| setting | f-grams per table | f-gram layers | f-gram model params (training only) | table rows | table MB (host RAM) "
        + "| main FLOPs/token | val bits/byte | val loss |\n");
    b.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (Point p : points) {
      b.append(String.format(Locale.ROOT, "| %s | %,d | %d | %,d | %,d | %.1f | %,d | %.4f | %.4f |%n", p.knob(), p.fgramsPerTable(),
          p.fgramLayers(), p.fgramModelParams(), p.tableRows(), p.tableBytes() / 1e6, p.mainFlopsPerToken(), p.bitsPerByte(),
          p.valLoss()));
    }
    return b.toString();
  }
}
