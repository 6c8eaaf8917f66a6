package dept.train.scoring;

import static org.apache.spark.sql.functions.col;

import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The tokenized blocks ({@code tokenize}'s Parquet) as scoring units: one unit per source, read with the tokenizer given for it. */
public final class ScoringBlocks {

  private ScoringBlocks() {}

  /**
   * @param split {@code train} or {@code val}
   * @param tokenizerOfSource the sources to score and the tokenizer each is read with
   * @return {@code unit} (the source), {@code block_id}, {@code tokens}
   */
  public static Dataset<Row> bySource(Dataset<Row> blocks, String split, Map<String, String> tokenizerOfSource) {
    Column mine = tokenizerOfSource.entrySet().stream()
        .map(e -> col("source").equalTo(e.getKey()).and(col("tokenizer").equalTo(e.getValue())))
        .reduce(Column::or)
        .orElseThrow(() -> new IllegalArgumentException("no source to score"));
    return blocks.where(col("split").equalTo(split).and(mine)).select(col("source").as("unit"), col("block_id"), col("tokens"));
  }
}
