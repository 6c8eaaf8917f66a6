package dept.train.extend;

import dept.prep.tokenizer.BpeModel;
import dept.train.SampleCorpus;
import dept.train.local.AdamW;
import dept.train.local.BlockBatches;
import dept.train.local.LocalTrainer;
import dept.train.local.OptimConfig;
import dept.train.model.DecoderLm;
import dept.train.model.GatedAdapter;
import dept.train.model.ModelConfig;
import dept.train.params.NamedTensors;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the extension tests share, built once per test JVM: a small English model (d 64, 2 layers,
 * 200 steps on the sample's English) and the data to extend it to Greek, a script it never saw,
 * each language with its own 512-token tokenizer.
 */
final class ExtensionFixture {

  static final ModelConfig MODEL = new ModelConfig(64, 2, 4, 4);
  static final int SEQ = 64;
  static NamedTensors baseBody;
  static Map<String, NamedTensors> baseEmbeddings;
  static ExtensionData data;
  static Map<String, List<int[]>> val;

  private ExtensionFixture() {}

  static synchronized void prepare() {
    try {
      build();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void build() throws java.io.IOException {
    if (data != null) {
      return;
    }
    Map<String, List<int[]>> train = new TreeMap<>();
    val = new TreeMap<>();
    Map<String, Integer> vocab = new TreeMap<>();
    Map<String, int[]> bytes = new TreeMap<>();
    for (String lang : List.of("en", "el")) {
      SampleCorpus.Split docs = SampleCorpus.documents(lang);
      BpeModel bpe = SampleCorpus.bpe(docs.train(), 512);
      train.put(lang, SampleCorpus.blocks(docs.train(), bpe, SEQ));
      val.put(lang, SampleCorpus.blocks(docs.val(), bpe, SEQ));
      vocab.put(lang, bpe.vocabSize());
      int[] b = new int[bpe.vocabSize()];
      for (int id = BpeModel.FIRST_BYTE_ID; id < b.length; id++) {
        b[id] = bpe.tokenBytes(id).length;
      }
      bytes.put(lang, b);
    }
    DecoderLm en = new DecoderLm(MODEL, vocab.get("en"), SEQ);
    NamedTensors body = en.initBody(1);
    NamedTensors embed = en.initEmbeddings(1);
    LocalTrainer.Result r = new LocalTrainer(en, new OptimConfig(3e-3, 3e-4, 20, 0.1, null, null, null, 1.0, 8), 200, "base/en", 0)
        .train(body, embed, AdamW.State.fresh(body.with(embed)), new BlockBatches(train.get("en"), 8, 1), 200, 0);
    baseBody = r.body();
    baseEmbeddings = Map.of("en", r.embeddings());
    data = new ExtensionData("el", "el", Map.of("en", "en"), train, vocab, bytes);
  }

  /** Extension settings: ReLU gates, adapters at 20% of the body, Greek's own tokenizer, lr 2e-3, batch 8, seed 5. */
  static ExtendConfig config(List<String> methods, int steps, double originalFraction, double alpha) {
    return config(methods, steps, originalFraction, alpha, 5L);
  }

  static ExtendConfig config(List<String> methods, int steps, double originalFraction, double alpha, long seed) {
    return config(methods, steps, originalFraction, alpha, seed, 2e-3);
  }

  static ExtendConfig config(List<String> methods, int steps, double originalFraction, double alpha, long seed, double lr) {
    return new ExtendConfig("SPEC", "el", methods, steps, originalFraction, alpha, GatedAdapter.Gate.RELU, 0.2,
        ExtendConfig.NewTokenizer.OWN, lr, 8, 0, seed, null);
  }
}
