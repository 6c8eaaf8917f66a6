package dept.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.SparseFormat;

/**
 * What the first layer reads at each position, before position embeddings are added: the token's
 * row of {@code embed.wte} by default; SCONE swaps in the embedding of the longest f-gram ending
 * there (from its f-gram model while training, from a precomputed table at inference).
 */
@FunctionalInterface
public interface InputEmbedder {

  /** (B, T, C) input embeddings for int64 tokens (B, T). */
  NDArray embed(NDArray tokens, Weights w, NDManager step);

  /** The plain token embedding. */
  InputEmbedder TOKENS = (tokens, w, step) -> lookup(tokens, w.get(DecoderLm.EMBED + "wte"));

  /** Rows of {@code table} (R, C) at int64 indices (B, T): (B, T, C), differentiable in the table. */
  static NDArray lookup(NDArray indices, NDArray table) {
    return indices.getNDArrayInternal().embedding(indices, table, SparseFormat.DENSE).singletonOrThrow();
  }
}
