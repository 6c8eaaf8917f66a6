package dept.train.dept;

import dept.prep.io.HadoopConfig;
import dept.train.local.AdamW;
import dept.train.local.BlockBatches;
import dept.train.local.LocalTrainer;
import dept.train.local.OptimConfig;
import dept.train.model.DecoderLm;
import dept.train.model.ModelConfig;
import dept.train.params.NamedTensors;
import dept.train.params.Tensor;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one source does in one round, inside its Spark task: restore its embeddings (SPEC: its
 * own, from the checkpoint store; GLOB: the global copy; TRIM: the global rows its data uses),
 * train H local steps on its blocks, persist its local state, and send back the new values of what
 * the variant aggregates (the driver forms the update). Stateless apart from the store, so Spark may retry it.
 */
record SourceTask(
    String policy, String source, int round, int rounds, int localSteps, long seed, OptimConfig optim,
    ModelConfig model, int seqLen, int vocabSize, String storeRoot, HadoopConfig hadoop) implements Serializable {

  /** What a task sends back: the new values of what is aggregated; {@code trimIds} / {@code trimRows} only for TRIM. */
  record Result(String source, int round, byte[] trained, int[] trimIds, byte[] trimRows, long tokens,
      float firstLoss, float lastLoss, long bytesDown, long bytesUp, long wallMillis) implements Serializable {}

  SharingPolicy sharing() {
    return SharingPolicy.of(policy);
  }

  long sourceSeed() {
    return seed * 1_000_003L + source.hashCode() * 7919L;
  }

  Result run(List<int[]> blocks, NamedTensors body, NamedTensors globalEmbeddings) {
    SharingPolicy sharing = sharing();
    CheckpointStore store = new CheckpointStore(storeRoot, hadoop.get());
    int[] trimIds = null;
    List<int[]> data = blocks;
    NamedTensors embeddings;
    DecoderLm lm;
    long bytesDown = body.toBytes().length;
    if (sharing instanceof SharingPolicy.Spec) {
      lm = new DecoderLm(model, vocabSize, seqLen);
      embeddings = store.readSourceState(source, round - 1).map(NamedTensors::fromBytes)
          .orElseGet(() -> lm.initEmbeddings(sourceSeed()));
    } else if (sharing instanceof SharingPolicy.Trim) {
      trimIds = distinctTokens(blocks);
      lm = new DecoderLm(model, trimIds.length, seqLen);
      Tensor rows = TrimRows.gather(globalEmbeddings.get(DecoderLm.EMBED + "wte"), trimIds);
      embeddings = new NamedTensors(Map.of(DecoderLm.EMBED + "wte", rows, DecoderLm.EMBED + "wpe", globalEmbeddings.get(DecoderLm.EMBED + "wpe")));
      data = remap(blocks, trimIds);
      bytesDown += embeddings.toBytes().length;
    } else {
      lm = new DecoderLm(model, vocabSize, seqLen);
      embeddings = globalEmbeddings;
      bytesDown += embeddings.toBytes().length;
    }
    NamedTensors before = body.with(embeddings);
    LocalTrainer trainer = new LocalTrainer(lm, optim, (long) rounds * localSteps,
        String.format("round %d/%d %s", round, rounds, source), Math.max(1, localSteps / 2));
    LocalTrainer.Result r = trainer.train(body, embeddings, AdamW.State.fresh(before),
        new BlockBatches(data, optim.batchSize(), sourceSeed() + round), localSteps, (long) (round - 1) * localSteps);
    NamedTensors after = r.body().with(r.embeddings());
    if (sharing instanceof SharingPolicy.Spec) {
      store.writeSourceState(source, round, r.embeddings().toBytes());
    }
    byte[] trainedBytes = after.select(sharing::aggregated).toBytes();
    byte[] rowBytes = null;
    if (trimIds != null) {
      rowBytes = r.embeddings().select(n -> n.equals(DecoderLm.EMBED + "wte")).toBytes();
    }
    float[] losses = r.metrics().losses();
    return new Result(source, round, trainedBytes, trimIds, rowBytes, r.metrics().tokens(), losses[0],
        losses[losses.length - 1], bytesDown, trainedBytes.length + (rowBytes == null ? 0 : rowBytes.length),
        r.metrics().wallMillis());
  }

  /** The global ids a source holds: the specials (so they keep ids 0-2 locally) and its tokens. */
  static int[] distinctTokens(List<int[]> blocks) {
    java.util.stream.IntStream specials = java.util.stream.IntStream.range(0, dept.prep.tokenizer.SpecialTokens.ALL.size());
    return java.util.stream.IntStream.concat(specials, blocks.stream().flatMapToInt(Arrays::stream)).distinct().sorted().toArray();
  }

  private static List<int[]> remap(List<int[]> blocks, int[] ids) {
    Map<Integer, Integer> local = new TreeMap<>();
    for (int i = 0; i < ids.length; i++) {
      local.put(ids[i], i);
    }
    List<int[]> out = new ArrayList<>(blocks.size());
    for (int[] b : blocks) {
      int[] m = new int[b.length];
      for (int i = 0; i < b.length; i++) {
        m[i] = local.get(b[i]);
      }
      out.add(m);
    }
    return out;
  }
}
