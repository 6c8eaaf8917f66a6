package dept.train.scone;

import dept.prep.ngram.FgramMatcher;
import dept.train.model.DecoderLm;
import dept.train.model.ModelConfig;
import dept.train.params.NamedTensors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds the pieces a {@code +SCONE} variant trains and evaluates with, so every caller builds them alike. */
public final class SconeModels {

  private SconeModels() {}

  /** Fresh input-side parameters: the token and position rows, plus the f-gram model's when {@code scone} is set. */
  public static NamedTensors initInputs(DecoderLm lm, SconeConfig scone, long seed) {
    NamedTensors embeddings = lm.initEmbeddings(seed);
    return scone == null ? embeddings : embeddings.with(new FgramModel(scone, lm.config()).init(seed));
  }

  /** {@code lm} reading SCONE inputs over {@code usable} (already {@link SconeConfig#usable}); {@code lm} itself when {@code scone} is null. */
  public static DecoderLm withFgrams(DecoderLm lm, SconeConfig scone, List<int[]> usable) {
    if (scone == null) {
      return lm;
    }
    return lm.withInput(new FgramInput(new FgramModel(scone, lm.config()), new FgramMatcher(usable)));
  }

  /**
   * The f-grams of {@code usable} (in global ids) in TRIM's local ids ({@code ids} = the global id of
   * each local row), in order; f-grams with a token the source does not hold cannot occur in its
   * data and are left out.
   */
  public static List<int[]> toLocalIds(List<int[]> usable, int[] ids) {
    Map<Integer, Integer> local = new HashMap<>();
    for (int i = 0; i < ids.length; i++) {
      local.put(ids[i], i);
    }
    List<int[]> out = new ArrayList<>();
    next:
    for (int[] f : usable) {
      int[] m = new int[f.length];
      for (int i = 0; i < f.length; i++) {
        Integer l = local.get(f[i]);
        if (l == null) {
          continue next;
        }
        m[i] = l;
      }
      out.add(m);
    }
    return out;
  }

  /** Parameters of the f-gram model (0 without SCONE). */
  public static long fgramModelParams(SconeConfig scone, ModelConfig main) {
    return scone == null ? 0 : new FgramModel(scone, main).parameterCount();
  }
}
