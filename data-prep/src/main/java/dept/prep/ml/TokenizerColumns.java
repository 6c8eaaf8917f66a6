package dept.prep.ml;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Schema checks shared by the tokenizer stages: they run before any data, naming the column. */
final class TokenizerColumns {

  private TokenizerColumns() {}

  /** The value of {@code param} on {@code stage} (set or default). */
  static String get(Params stage, Param<String> param) {
    return stage.getOrDefault(param);
  }

  /** Fails unless {@code schema} has {@code column} of {@code type}, naming the column, its type and the param. */
  static void require(StructType schema, String column, DataType type, String param) {
    StructField field = java.util.Arrays.stream(schema.fields()).filter(f -> f.name().equals(column)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(
            param + ": no column '" + column + "' (columns: " + String.join(", ", schema.fieldNames()) + ")"));
    if (!field.dataType().equals(type)) {
      throw new IllegalArgumentException(
          param + ": column '" + column + "' is " + field.dataType().simpleString() + ", not " + type.simpleString());
    }
  }

  /** {@code schema} plus {@code column}, failing if it is already there. */
  static StructType adding(StructType schema, String column, DataType type, String param) {
    if (java.util.Arrays.asList(schema.fieldNames()).contains(column)) {
      throw new IllegalArgumentException(param + ": output column '" + column + "' already exists");
    }
    return schema.add(column, type, true);
  }

  static final DataType TOKENS = DataTypes.createArrayType(DataTypes.IntegerType, false);
}
