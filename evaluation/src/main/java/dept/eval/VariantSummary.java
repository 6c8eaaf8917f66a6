package dept.eval;

/**
 * One trained variant on one line: quality after its last round and what it cost.
 *
 * @param bitsPerByteUniform mean over sources of validation bits per UTF-8 byte
 * @param bitsPerByteByBytes the same weighted by each source's validation bytes
 * @param meanLoss mean over sources of the validation loss (nats per token of its own tokenizer)
 * @param bodyParams parameters of the shared body
 * @param embeddingParams parameters of every embedding table the variant keeps (all sources)
 * @param embeddingParamsPerSource mean embedding parameters one source's task holds and trains
 *     (the per-source memory DEPT compares: SPEC's own table vs the global one)
 * @param bytesUpTotal serialised bytes sent from tasks to the driver over the whole run
 * @param bytesDownTotal bytes sent from the driver to tasks
 * @param trainSeconds wall time of all rounds (validation included)
 * @param tokensPerSecond training tokens over the tasks' local training time
 */
public record VariantSummary(String variant, int rounds, int sources, double bitsPerByteUniform, double bitsPerByteByBytes,
    double meanLoss, long bodyParams, long embeddingParams, long embeddingParamsPerSource, long bytesUpTotal, long bytesDownTotal, double trainSeconds,
    double tokensPerSecond) {

  /** Bytes of the embedding tables in float32. */
  public long embeddingBytes() {
    return embeddingParams * Float.BYTES;
  }
}
