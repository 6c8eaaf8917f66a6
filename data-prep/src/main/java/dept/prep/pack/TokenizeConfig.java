package dept.prep.pack;

/**
 * Settings of the tokenize stage.
 *
 * @param seqLen model context length; blocks hold {@code seq_len + 1} tokens
 * @param encoder {@code dept} (our encoder, the default: faster, see the benchmark) or {@code hf}
 *     (HF tokenizers through DJL); both give the same ids
 * @param withGlobal also encode every source with the global tokenizer (STD, GLOB, TRIM need it)
 */
public record TokenizeConfig(Integer seqLen, String encoder, Boolean withGlobal) {

  public TokenizeConfig {
    seqLen = seqLen == null ? 128 : seqLen;
    encoder = encoder == null ? "dept" : encoder;
    withGlobal = withGlobal == null ? Boolean.TRUE : withGlobal;
    if (seqLen < 1) {
      throw new IllegalArgumentException("seq_len must be >= 1, got " + seqLen);
    }
    if (!encoder.equals("dept") && !encoder.equals("hf")) {
      throw new IllegalArgumentException("encoder must be dept or hf, got '" + encoder + "'");
    }
  }
}
