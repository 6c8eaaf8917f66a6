package dept.train.local;

import dept.train.SampleCorpus;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.prep.tokenizer.BpeModel;
import dept.train.model.DecoderLm;
import dept.train.model.ModelConfig;
import dept.train.params.NamedTensors;
import java.util.List;
import org.junit.jupiter.api.Test;

/** 200 steps of a tiny model on the English part of the sample beat the unigram model on held-out text. */
class SampleCorpusTrainingTest {

  @Test
  void twoHundredStepsBeatTheUnigramEntropyOnValidation() throws Exception {
    SampleCorpus.Split en = SampleCorpus.documents("en");
    BpeModel bpe = SampleCorpus.bpe(en.train(), 768);
    List<int[]> trainBlocks = SampleCorpus.blocks(en.train(), bpe, 64);
    List<int[]> valBlocks = SampleCorpus.blocks(en.val(), bpe, 64);

    // Unigram model from train counts (add-one): its cross-entropy on the validation targets.
    double[] counts = new double[bpe.vocabSize()];
    java.util.Arrays.fill(counts, 1);
    trainBlocks.forEach(b -> { for (int i = 1; i < b.length; i++) counts[b[i]]++; });
    double total = java.util.Arrays.stream(counts).sum();
    double nats = 0;
    long n = 0;
    for (int[] b : valBlocks) {
      for (int i = 1; i < b.length; i++) {
        if (b[i] != 2) {
          nats -= Math.log(counts[b[i]] / total);
          n++;
        }
      }
    }
    double unigram = nats / n;

    DecoderLm model = new DecoderLm(new ModelConfig(64, 2, 4, 4), bpe.vocabSize(), 64);
    OptimConfig optim = new OptimConfig(3e-3, 3e-4, 20, 0.1, null, null, null, 1.0, 8);
    NamedTensors body = model.initBody(1);
    NamedTensors embed = model.initEmbeddings(1);
    LocalTrainer.Result r = new LocalTrainer(model, optim, 200, "sample/en", 50)
        .train(body, embed, AdamW.State.fresh(body.with(embed)), new BlockBatches(trainBlocks, 8, 1), 200, 0);

    int[] tokenBytes = new int[bpe.vocabSize()];
    for (int id = BpeModel.FIRST_BYTE_ID; id < tokenBytes.length; id++) {
      tokenBytes[id] = bpe.tokenBytes(id).length;
    }
    Evaluator.Metrics before = new Evaluator(model, 16).evaluate(body, embed, valBlocks, tokenBytes);
    Evaluator.Metrics after = new Evaluator(model, 16).evaluate(r.body(), r.embeddings(), valBlocks, tokenBytes);
    assertTrue(after.meanLoss() < unigram - 0.3,
        "val loss " + after.meanLoss() + " vs unigram " + unigram + " (before training " + before.meanLoss() + ")");
    assertTrue(after.bitsPerByte() > 0.5 && after.bitsPerByte() < before.bitsPerByte(), "bits/byte " + after.bitsPerByte());
    assertTrue(Math.abs(after.perplexity() - Math.exp(after.meanLoss())) < 1e-9);
  }
}
