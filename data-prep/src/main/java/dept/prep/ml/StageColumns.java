package dept.prep.ml;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Schema checks shared by the project's ML stages: they run before any data, naming the param and the column. */
public final class StageColumns {

  private StageColumns() {}

  /** Fails unless {@code schema} has {@code column} of {@code type} (nullability aside), naming the column, its type and the param. */
  public static void require(StructType schema, String column, DataType type, String param) {
    StructField field = java.util.Arrays.stream(schema.fields()).filter(f -> f.name().equals(column)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(
            param + ": no column '" + column + "' (columns: " + String.join(", ", schema.fieldNames()) + ")"));
    if (!DataType.equalsIgnoreNullability(field.dataType(), type)) {
      throw new IllegalArgumentException(
          param + ": column '" + column + "' is " + field.dataType().simpleString() + ", not " + type.simpleString());
    }
  }

  /** {@code schema} plus {@code column}, failing if it is already there. */
  public static StructType adding(StructType schema, String column, DataType type, String param) {
    if (java.util.Arrays.asList(schema.fieldNames()).contains(column)) {
      throw new IllegalArgumentException(param + ": output column '" + column + "' already exists");
    }
    return schema.add(column, type, true);
  }

  /** Token ids. */
  public static final DataType TOKENS = DataTypes.createArrayType(DataTypes.IntegerType, false);
}
