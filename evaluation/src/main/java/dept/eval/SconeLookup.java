package dept.eval;

/**
 * SCONE at inference: a {@code +SCONE} model scored with its precomputed lookup table instead of
 * its f-gram model, so the evaluation reads exactly what deployment would. The f-gram model is not
 * run; only the table (host memory) and the main model are ({@code LanguageModelScorer} in a scoring job).
 */
public final class SconeLookup {

  /** One source's validation through the table, next to the f-gram model's figure from training. */
  public record Row(String variant, String source, String tokenizer, double bitsPerByteLookup, double bitsPerByteFgramModel,
      long tableRows, long tableFgrams, long tableBytes, double lookupMicrosPerToken) {}

  private SconeLookup() {}
}
