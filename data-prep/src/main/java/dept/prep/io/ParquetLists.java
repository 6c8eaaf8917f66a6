package dept.prep.io;

import org.apache.parquet.example.data.Group;

/**
 * Spark's {@code array<x>} columns as Parquet's own record reader returns them: a 3-level LIST,
 * {@code <field> { repeated group list { element } }}, for readers that bypass Spark (training's
 * block reads, the SCONE table at inference).
 */
public final class ParquetLists {

  private ParquetLists() {}

  public static int[] ints(Group list) {
    int n = list.getFieldRepetitionCount("list");
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = list.getGroup("list", i).getInteger("element", 0);
    }
    return out;
  }

  public static float[] floats(Group list) {
    int n = list.getFieldRepetitionCount("list");
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = list.getGroup("list", i).getFloat("element", 0);
    }
    return out;
  }
}
