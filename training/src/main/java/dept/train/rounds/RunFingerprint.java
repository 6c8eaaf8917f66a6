package dept.train.rounds;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dept.train.model.ModelConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The settings a checkpoint's numbers depend on. Resuming under different ones would silently
 * give a run that no uninterrupted run equals, so {@code --resume} refuses and names the
 * differences.
 */
record RunFingerprint(Map<String, String> settings) {

  private static final ObjectMapper JSON = new ObjectMapper();

  static RunFingerprint of(Variant variant, TrainConfig train, ModelConfig model, int seqLen, List<String> sources) {
    Map<String, String> s = new TreeMap<>();
    s.put("variant", variant.name());
    s.put("sources", String.join(",", sources));
    s.put("rounds", String.valueOf(train.rounds()));
    s.put("local_steps", String.valueOf(train.localSteps()));
    s.put("sources_per_round", String.valueOf(train.sourcesPerRound()));
    s.put("replicas", String.valueOf(train.replicas()));
    s.put("seed", String.valueOf(train.seed()));
    s.put("inner_state", train.innerFor(variant).name());
    s.put("private_state", train.privateState().name());
    s.put("validation", String.valueOf(train.validationSample()));
    s.put("temperature", String.valueOf(train.temperature()));
    s.put("act_reset_every", String.valueOf(train.actResetEvery()));
    s.put("optim", String.valueOf(train.optim()));
    s.put("outer", String.valueOf(train.outer()));
    s.put("model", String.valueOf(model));
    s.put("seq_len", String.valueOf(seqLen));
    if (variant.rtd()) {
      s.put("rtd", String.valueOf(train.rtd()));
    }
    if (variant.scone()) {
      s.put("scone", String.valueOf(train.scone()));
    }
    return new RunFingerprint(s);
  }

  byte[] toJson() {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(settings);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static RunFingerprint fromJson(byte[] json) {
    try {
      return new RunFingerprint(JSON.readValue(json, new TypeReference<TreeMap<String, String>>() {}));
    } catch (IOException e) {
      throw new UncheckedIOException("corrupt run.json in checkpoint", e);
    }
  }

  void requireSame(RunFingerprint now, String where) {
    List<String> diffs = new ArrayList<>();
    Map<String, String> all = new TreeMap<>(settings);
    now.settings.forEach(all::putIfAbsent);
    for (String k : all.keySet()) {
      String was = settings.get(k);
      String is = now.settings.get(k);
      if (was == null ? is != null : !was.equals(is)) {
        diffs.add(k + ": checkpoint has " + was + ", config has " + is);
      }
    }
    if (!diffs.isEmpty()) {
      throw new IllegalArgumentException("cannot resume from " + where + ": the settings differ (" + String.join("; ", diffs)
          + "). Resume with the checkpoint's settings, or train without --resume to start over");
    }
  }
}
