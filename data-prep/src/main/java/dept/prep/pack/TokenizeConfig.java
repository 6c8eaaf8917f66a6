package dept.prep.pack;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Settings of the tokenize stage.
 *
 * @param seqLen model context length; blocks hold {@code seq_len + 1} tokens
 * @param encoder see {@link Encoder}; both give the same ids
 * @param withGlobal also encode every source with the global tokenizer (STD, GLOB, TRIM need it)
 */
public record TokenizeConfig(Integer seqLen, Encoder encoder, Boolean withGlobal) {

  /** Which encoder packs the blocks. */
  public enum Encoder {
    /** Our encoder, the default: faster (see the benchmark). */
    @JsonProperty("dept") DEPT,
    /** HF tokenizers (Rust) through DJL. */
    @JsonProperty("hf") HF
  }

  public TokenizeConfig {
    seqLen = seqLen == null ? 128 : seqLen;
    encoder = encoder == null ? Encoder.DEPT : encoder;
    withGlobal = withGlobal == null ? Boolean.TRUE : withGlobal;
    if (seqLen < 1) {
      throw new IllegalArgumentException("seq_len must be >= 1, got " + seqLen);
    }
  }
}
