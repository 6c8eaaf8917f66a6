package dept.prep.ml;

import dept.prep.tokenizer.BpeTokenizer;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.types.DataTypes;

/**
 * A tokenizer model's encoder and decoder as SQL functions, for a {@code %sql} paragraph:
 * {@code dept_tokenize(text, source)} gives the token ids ({@code array<int>}, null for null or
 * empty text and unknown sources) and {@code dept_detokenize(tokens, source)} the text back. With a
 * model trained without a source column, pass {@code ''} as the source.
 */
public final class TokenizerFunctions {

  private TokenizerFunctions() {}

  public static void register(SparkSession spark, BpeTokenizerModel model) {
    Map<String, String> json = new TreeMap<>();
    model.sources().forEach(s -> json.put(s, model.tokenizerJson(s)));
    Broadcast<Map<String, String>> shared = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(json);
    String id = model.uid();
    spark.udf().register("dept_tokenize", (UDF2<String, String, int[]>) (text, source) -> {
      BpeTokenizer t = text == null || text.isEmpty() ? null : ParsedTokenizers.get(id, source, shared.value());
      return t == null ? null : t.encode(text);
    }, StageColumns.TOKENS);
    spark.udf().register("dept_detokenize", (UDF2<scala.collection.Seq<Integer>, String, String>)
        (ids, source) -> ParsedTokenizers.decode(ParsedTokenizers.get(id, source, shared.value()), ids), DataTypes.StringType);
  }
}
