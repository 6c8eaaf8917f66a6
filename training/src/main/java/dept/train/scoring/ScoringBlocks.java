package dept.train.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.row_number;

import dept.prep.pack.TokenArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Blocks as {@link ScoringJob} reads them: rows of (unit, block id, tokens). */
public final class ScoringBlocks {

  public static final StructType SCHEMA = new StructType()
      .add("unit", DataTypes.StringType, false)
      .add("block_id", DataTypes.LongType, false)
      .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType, false), false);

  private ScoringBlocks() {}

  /** Blocks the driver holds (a few, e.g. packed from a small corpus), numbered in list order. */
  public static Dataset<Row> of(SparkSession spark, Map<String, List<int[]>> blocksByUnit) {
    List<Row> rows = new ArrayList<>();
    blocksByUnit.forEach((unit, blocks) -> {
      for (int i = 0; i < blocks.size(); i++) {
        rows.add(RowFactory.create(unit, (long) i, TokenArrays.boxed(blocks.get(i))));
      }
    });
    return spark.createDataFrame(rows, SCHEMA);
  }

  /**
   * {@code tokenize}'s blocks as one unit per source, read with the tokenizer given for it.
   *
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

  /** Each unit's blocks numbered from 0 in block id order ({@code index}), the first {@code maxBlocks} of them (0 = all). */
  public static Dataset<Row> firstPerUnit(Dataset<Row> blocks, int maxBlocks) {
    Dataset<Row> numbered = blocks.withColumn("index", row_number().over(Window.partitionBy("unit").orderBy("block_id")).minus(1));
    return maxBlocks > 0 ? numbered.where(col("index").lt(maxBlocks)) : numbered;
  }
}
