package dept.prep.pack;

import java.util.List;

/** Token ids between Java arrays and Spark's {@code array<int>} row values. */
public final class TokenArrays {

  private TokenArrays() {}

  /** For a Row: Spark stores {@code array<int>} from boxed values. */
  public static Integer[] boxed(int[] ids) {
    Integer[] out = new Integer[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = ids[i];
    }
    return out;
  }

  /** From a Row's {@code getList} of an {@code array<int>} column. */
  public static int[] ints(List<?> list) {
    int[] out = new int[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) list.get(i)).intValue();
    }
    return out;
  }
}
