package dept.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dept.prep.tokenizer.SpecialTokens;
import dept.train.params.NamedTensors;
import dept.train.params.Tensor;
import java.util.TreeMap;

/**
 * A GPT-style decoder, read like nanoGPT's model.py: token + learned position embeddings, pre-LN
 * {@link Block}s of causal {@link SelfAttention} and a GELU {@link Mlp} ({@link TransformerBlocks}), a final LayerNorm,
 * logits tied to the token embeddings. Parameters are named, not owned: the <b>embeddings</b> ({@code embed.*}) and the
 * <b>body</b> ({@code body.*}) are separate sets that any source can combine, which is what DEPT
 * trains, sends and averages. Forward passes read a {@link Weights} and create every intermediate
 * in the step's {@link NDManager}, so nothing outlives the step.
 */
public final class DecoderLm {

  public static final String EMBED = "embed.";
  public static final String BODY = "body.";

  private final ModelConfig config;
  private final int vocabSize;
  private final int seqLen;
  private final TransformerBlocks stack;
  private final InputEmbedder input;
  private final Extensions extensions;

  public DecoderLm(ModelConfig config, int vocabSize, int seqLen) {
    this(config, vocabSize, seqLen, InputEmbedder.TOKENS, Extensions.NONE);
  }

  private DecoderLm(ModelConfig config, int vocabSize, int seqLen, InputEmbedder input, Extensions extensions) {
    if (vocabSize < 1 || seqLen < 1) {
      throw new IllegalArgumentException("vocab size and seq_len must be >= 1, got " + vocabSize + ", " + seqLen);
    }
    this.config = config;
    this.vocabSize = vocabSize;
    this.seqLen = seqLen;
    this.stack = new TransformerBlocks(config, BODY, extensions);
    this.input = input;
    this.extensions = extensions;
  }

  /** This model reading its first layer's input from {@code embedder} (SCONE) instead of the token rows. */
  public DecoderLm withInput(InputEmbedder embedder) {
    return new DecoderLm(config, vocabSize, seqLen, embedder, extensions);
  }

  /**
   * This model with its body's linears and MLPs wrapped in {@code extensions} (LoRA, adapters).
   *
   * @throws IllegalArgumentException naming an extension parameter that no piece of the body owns
   */
  public DecoderLm withExtensions(Extensions extensions) {
    return new DecoderLm(config, vocabSize, seqLen, input, extensions);
  }

  public ModelConfig config() {
    return config;
  }

  /** The vocabulary size of an input side: its token table's rows. */
  public static int vocabSizeOf(NamedTensors embeddings) {
    return (int) embeddings.get(EMBED + "wte").shape()[0];
  }

  public int vocabSize() {
    return vocabSize;
  }

  public int seqLen() {
    return seqLen;
  }

  // ---- parameters ------------------------------------------------------------------------

  /** Fresh embeddings: N(0, 0.02), seeded per name. */
  public NamedTensors initEmbeddings(long seed) {
    int c = config.dModel();
    TreeMap<String, Tensor> t = new TreeMap<>();
    t.put(EMBED + "wte", TransformerBlocks.normal(seed, EMBED + "wte", 0.02, vocabSize, c));
    t.put(EMBED + "wpe", TransformerBlocks.normal(seed, EMBED + "wpe", 0.02, seqLen, c));
    return new NamedTensors(t);
  }

  /** The body's names and shapes ({@link #initBody} without values). */
  public java.util.Map<String, long[]> bodyShapes() {
    return stack.shapes();
  }

  /** The input side's names and shapes ({@link #initEmbeddings} without values). */
  public java.util.Map<String, long[]> embeddingShapes() {
    return java.util.Map.of(EMBED + "wte", new long[] {vocabSize, config.dModel()}, EMBED + "wpe",
        new long[] {seqLen, config.dModel()});
  }

  /** A fresh body: GPT-2 init (N(0, 0.02), residual projections scaled by 1/sqrt(2 layers)). */
  public NamedTensors initBody(long seed) {
    TreeMap<String, Tensor> t = new TreeMap<>();
    stack.init(t, seed);
    return new NamedTensors(t);
  }

  // ---- forward ---------------------------------------------------------------------------

  /** Logits (B, T, V) for tokens (B, T) of type int64. */
  public NDArray logits(NDArray tokens, Weights w, NDManager step) {
    return logits(tokens, w, step, null);
  }

  /** As {@link #logits(NDArray, Weights, NDManager)}, recording what adapters output in {@code taps} (may be null). */
  public NDArray logits(NDArray tokens, Weights w, NDManager step, AdapterTaps taps) {
    return head(hidden(tokens, w, step, taps), w, step);
  }

  /** The final (normed) hidden states (B, T, C) for tokens (B, T): what the LM head reads. */
  public NDArray hidden(NDArray tokens, Weights w, NDManager step, AdapterTaps taps) {
    long t = tokens.getShape().get(1);
    NDArray pos = w.get(EMBED + "wpe").get(new NDIndex("0:{}", t)); // (T, C)
    pos.attach(step);
    NDArray x = input.embed(tokens, w, step).add(pos); // (B, T, C)
    return stack.finalNorm(stack.forward(x, w, step, taps), w); // (B, T, C)
  }

  private static NDArray head(NDArray hidden, Weights w, NDManager step) {
    NDArray wteT = w.get(EMBED + "wte").transpose(); // (C, V)
    wteT.attach(step);
    return hidden.matMul(wteT); // (B, T, V): weight tying
  }

  // ---- loss ------------------------------------------------------------------------------

  /** Per-token loss of a batch of blocks (B, T+1): the NLL of each next token and its mask. */
  public record TokenLoss(NDArray nll, NDArray mask) {
    /** Mean NLL over the real (non-pad) targets: the training loss. */
    public NDArray mean() {
      return nll.mul(mask).sum().div(mask.sum().maximum(1f));
    }
  }

  public TokenLoss tokenLoss(NDArray blocks, Weights w, NDManager step) {
    return tokenLoss(blocks, w, step, null);
  }

  /** As {@link #tokenLoss(NDArray, Weights, NDManager)}, recording what adapters output in {@code taps} (may be null). */
  public TokenLoss tokenLoss(NDArray blocks, Weights w, NDManager step, AdapterTaps taps) {
    return scored(blocks, w, step, taps).loss();
  }

  /** The per-token loss of a batch of blocks with the hidden states (B, T, C) it came from: one forward pass. */
  public record Scored(TokenLoss loss, NDArray hidden) {}

  public Scored scored(NDArray blocks, Weights w, NDManager step, AdapterTaps taps) {
    long t = blocks.getShape().get(1) - 1;
    NDArray inputs = blocks.get(new NDIndex(":, 0:{}", t)); // (B, T)
    NDArray targets = blocks.get(new NDIndex(":, 1:{}", t + 1)); // (B, T)
    NDArray h = hidden(inputs, w, step, taps);
    NDArray logp = head(h, w, step).logSoftmax(-1); // (B, T, V)
    NDArray nll = logp.gather(targets.expandDims(-1), -1).squeeze(-1).neg(); // (B, T)
    NDArray mask = targets.neq(SpecialTokens.PAD_ID).toType(DataType.FLOAT32, false); // (B, T)
    return new Scored(new TokenLoss(nll, mask), h);
  }
}
