package dept.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dept.prep.tokenizer.SpecialTokens;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The unigram baseline's loss, counted in Spark, equals a hand computation; only the first eval blocks count. */
class UnigramBaselineTest {

  private static Row block(String split, long id, Integer... tokens) {
    return RowFactory.create("en", "en", split, id, List.of(tokens));
  }

  @Test
  void lossOfTheFirstValidationBlocksUnderAddOneCountsOfTrain() {
    SparkSession spark = SparkSession.builder().master("local[1]").appName("unigram").config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2").getOrCreate();
    try {
      StructType schema = new StructType().add("source", DataTypes.StringType).add("tokenizer", DataTypes.StringType)
          .add("split", DataTypes.StringType).add("block_id", DataTypes.LongType)
          .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType));
      int pad = SpecialTokens.PAD_ID;
      var blocks = spark.createDataFrame(List.of(
          block("train", 0, 5, 5, 6, pad), // train counts (pad not counted): 5 x2, 6 x1; total 3
          block("val", 2, 7, 7, 7), // the third validation block by id: left out with eval_blocks 2
          block("val", 1, 9, 6, pad), // targets 6 (and pad, not scored)
          block("val", 0, 5, 5, 8)), schema); // targets 5, 8
      int vocab = 10;
      double p5 = (2 + 1.0) / (3 + vocab);
      double p6 = (1 + 1.0) / (3 + vocab);
      double p8 = (0 + 1.0) / (3 + vocab);
      double expected = -(Math.log(p5) + Math.log(p8) + Math.log(p6)) / 3;
      assertEquals(expected, UnigramBaseline.loss(blocks, "en", "en", vocab, 2), 1e-12);
    } finally {
      spark.stop();
    }
  }
}
