package dept.jobs.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.jobs.cli.CliRun;
import dept.prep.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dept study} end to end on the embedded sample, shrunk to two seeds and seven arms, then resumed. */
class StudyTest {

  @TempDir Path dir;

  private String[] study(String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of(CliRun.onSample("study", dir.resolve("out"),
        "--set", "train.rounds=2", "--set", "train.local_steps=2", "--set", "train.sources_per_round=0",
        "--set", "train.eval_bytes=1500", "--set", "train.local_validation=true", "--set", "train.checkpoint_every=2", "--set", "train.eval_every=2",
        "--set", "study.seeds=[1, 2]", "--set", "study.std_temperatures=[0]", "--set", "study.std_baselines=[steps, tokens, iid]", "--set", "study.variants=[SPEC, SPEC+SCONE, SPEC+GLOBALVOCAB]",
        "--set", "study.lr_sweep={lrs: [3.0e-2], arms: [spec]}",
        "--set", "study.extend_methods=[neutral]", "--set", "extend.steps=3", "--set", "extend.sweep.lrs=[6.0e-3]",
        "--set", "extend.sweep.alphas=[0]", "--set", "extend.sweep.original_fractions=[]")));
    args.addAll(CliRun.FEW_SOURCES);
    args.addAll(CliRun.SMALL_MODEL);
    args.addAll(List.of(extra));
    return args.toArray(new String[0]);
  }

  @Test
  void trainsEveryArmPerSeedOnSharedDataAndReportsMeanAndSpread() throws Exception {
    CliRun.Result r = CliRun.run(study());
    assertEquals(0, r.exit(), r.err() + r.out());
    assertTrue(r.out().contains("study: 14/14 runs done"), r.out());
    Path study = dir.resolve("out/study");
    assertTrue(Files.exists(study.resolve("seed-1/std-dp-t0/train/std/model/_SUCCESS")));
    assertTrue(Files.exists(study.resolve("seed-2/spec-scone/train/spec-scone/model/_SUCCESS")));
    assertTrue(Files.exists(study.resolve("seed-2/spec/extend/spec-el/results/_SUCCESS")), "each seed's SPEC is extended to el");
    assertFalse(Files.exists(study.resolve("seed-1/spec/blocks")), "arms read the study's prepared data, they do not copy it");
    String report = Files.readString(study.resolve("report/report.md"));
    for (String part : List.of("## Arms", "## Differences against seed noise", "| spec − std-dp-t0 |", "| spec − std-seq-t0 |", "| spec − std-iid-t0 |",
        "| spec − spec-globalvocab |", "| spec-globalvocab − std-dp-t0 |",
        "the same text for every arm and tokenizer", "the same tokens and the same 4 sequential optimizer steps",
        "## Learning curves", "## What averaging costs", "| spec |", "### The gap to std-dp-t0 as the budget grows", "## Robustness to the learning rate", "| spec | 0.03 |", "| spec-scone − spec |",
        "## Unigram-normalised perplexity per source", "## Extension of SPEC to el", "| neutral | 2 |", "machine: ",
        "### The extension sweep", "mean ± sd over 2 seeds", "**Neutral residues over alpha**")) {
      assertTrue(report.contains(part), part + " in\n" + report);
    }
    for (String png : List.of("arms_bits_per_byte.png", "learning_curves.png", "averaging_cost.png", "lr_robustness.png", "per_source_bits_per_byte.png", "extension.png", "extension_frontier.png",
        "extension_frontier_worst.png")) {
      assertTrue(Files.size(study.resolve("report").resolve(png)) > 1000, png);
    }

    SparkSession spark = SparkTestSession.get();
    List<Row> arms = spark.read().parquet(study.resolve("results/arms").toString()).orderBy("seed", "arm").collectAsList();
    assertEquals(14, arms.size());
    Map<String, Long> tokens = new TreeMap<>();
    Map<String, Double> bpb = new TreeMap<>();
    for (Row a : arms) {
      tokens.put(a.getLong(0) + "/" + a.getString(1), a.getLong(a.fieldIndex("tokens")));
      bpb.put(a.getLong(0) + "/" + a.getString(1), a.getDouble(a.fieldIndex("bits_per_byte_mean")));
    }
    // The same token budget in every arm; sequential optimizer steps (the metrics' step after the
    // last round) equal to SPEC's for the data-parallel and IID baselines, K = 3 times SPEC's for the small-batch one.
    Map<String, Long> steps = new TreeMap<>();
    for (String arm : List.of("spec", "spec-globalvocab", "std-dp-t0", "std-seq-t0", "std-iid-t0")) {
      assertEquals(tokens.get("1/spec"), tokens.get("1/" + arm), 0.02 * tokens.get("1/spec"), arm);
      String variant = arm.startsWith("std") ? "std" : arm;
      steps.put(arm, spark.read().parquet(study.resolve("seed-1/" + arm + "/train/" + variant + "/metrics").toString())
          .agg(org.apache.spark.sql.functions.max("step")).first().getLong(0));
    }
    assertEquals(Map.of("spec", 4L, "spec-globalvocab", 4L, "std-dp-t0", 4L, "std-iid-t0", 4L, "std-seq-t0", 12L), steps);
    assertNotEquals(bpb.get("1/spec"), bpb.get("2/spec"), "seeds give different runs");
    assertNotEquals(bpb.get("1/std-dp-t0"), bpb.get("1/std-seq-t0"), "the step-matched and token-matched baselines differ");
    // Every arm scored the same validation bytes per source, whatever its tokenizer.
    var lastRound = spark.read().parquet(study.resolve("seed-1/*/train/*/validation").toString()).where("round = 2");
    assertEquals(3L, lastRound.select("source", "bytes").distinct().count(), "one byte count per source across 7 arms");
    var sources = spark.read().parquet(study.resolve("results/sources").toString());
    assertEquals(14L * 3, sources.count(), "3 training sources per run (el is held out)");
    assertEquals(0L, sources.where("source = 'el'").count());
    assertEquals(0L, sources.where("not (unigram_loss > 0 and unigram_normalized_perplexity > 0)").count());
    assertEquals(2L, spark.read().parquet(study.resolve("results/extension").toString()).count());
    assertEquals(2L * 3 * 4, spark.read().parquet(study.resolve("results/extension_sweep").toString()).count(),
        "2 seeds x 3 trials (neutral; at lr 6e-3; at alpha 0) x (3 original sources + el)");
    dept.jobs.ZeppelinNotes.runNote(dept.jobs.ZeppelinNotes.STUDY_NOTE, dir.resolve("out"), spark);

    // Resumed: every arm and extension is kept, and the tables come out the same.
    CliRun.Result again = CliRun.run(study("--resume"));
    assertEquals(0, again.exit(), again.err() + again.out());
    assertTrue(again.out().contains("seed 2, arm spec-scone: kept"), again.out());
    assertTrue(again.out().contains("tokenize: kept"), again.out());
    assertEquals(arms, SparkTestSession.get().read().parquet(study.resolve("results/arms").toString()).orderBy("seed", "arm").collectAsList());
  }

  @Test
  void sconeArmsAreScoredThroughTheirTablesWithKnobsAndALargerModel() throws Exception {
    CliRun.Result r = CliRun.run(study("--set", "study.seeds=[2]", "--set", "study.std_temperatures=[]", "--set", "study.extend_methods=[]",
        "--set", "study.variants=[SPEC, SPEC+SCONE]",
        "--set", "study.lr_sweep={lrs: [], arms: []}",
        "--set", "study.scone.fgrams=[6]", "--set", "study.scone.final_norm_ablation=true", "--set", "study.scone.larger_models=[{d_model: 48}]"));
    assertEquals(0, r.exit(), r.err() + r.out());
    assertTrue(r.out().contains("study: 5/5 runs done"), r.out());
    Path study = dir.resolve("out/study");
    SparkSession spark = SparkTestSession.get();
    Map<String, Row> arms = new TreeMap<>();
    spark.read().parquet(study.resolve("results/arms").toString()).collectAsList()
        .forEach(a -> arms.put(a.getLong(0) + "/" + a.getString(1), a));
    assertEquals(List.of("2/spec", "2/spec-d48", "2/spec-scone", "2/spec-scone-f6", "2/spec-scone-nolnf"), List.copyOf(arms.keySet()));
    String seed = "2";
    Row plain = arms.get(seed + "/spec");
    Row scone = arms.get(seed + "/spec-scone");
    Row six = arms.get(seed + "/spec-scone-f6");
    Row larger = arms.get(seed + "/spec-d48");
    // The inference path reproduces the f-gram model, for every setting.
    for (Row a : List.of(scone, six, arms.get(seed + "/spec-scone-nolnf"))) {
      assertEquals(a.getDouble(a.fieldIndex("bits_per_byte_mean")), a.getDouble(a.fieldIndex("bits_per_byte_lookup")), 1e-3, a.toString());
      assertTrue(a.getLong(a.fieldIndex("table_bytes_per_source")) > 0, a.toString());
    }
    assertTrue(Double.isNaN(plain.getDouble(plain.fieldIndex("bits_per_byte_lookup"))));
    assertEquals(0L, plain.getLong(plain.fieldIndex("table_bytes_per_source")));
    assertEquals(6L, six.getLong(six.fieldIndex("fgrams_per_table")), "train.scone.fgrams=6 keeps the 6 most frequent per table");
    assertTrue(scone.getLong(scone.fieldIndex("fgrams_per_table")) > 6);
    // A table's host memory is its rows (f-grams + tokens) x d_model floats and a key index: more f-grams, more memory.
    long sixBytes = six.getLong(six.fieldIndex("table_bytes_per_source"));
    assertTrue(sixBytes >= (6 + 512) * 32 * 4L && sixBytes < 1.1 * (6 + 512) * 32 * 4L, "bytes " + sixBytes);
    assertTrue(scone.getLong(scone.fieldIndex("table_bytes_per_source")) > six.getLong(six.fieldIndex("table_bytes_per_source")));
    // SCONE adds no inference FLOPs; the wider model does (from its shapes).
    long flops = plain.getLong(plain.fieldIndex("inference_flops_per_token"));
    assertEquals(flops, scone.getLong(scone.fieldIndex("inference_flops_per_token")));
    assertTrue(larger.getLong(larger.fieldIndex("inference_flops_per_token")) > 1.5 * flops, larger.toString());
    assertEquals(plain.getLong(plain.fieldIndex("tokens")), larger.getLong(larger.fieldIndex("tokens")), "the same training tokens");
    assertNotEquals(scone.getDouble(scone.fieldIndex("bits_per_byte_mean")),
        arms.get(seed + "/spec-scone-nolnf").getDouble(scone.fieldIndex("bits_per_byte_mean")), "the final norm changes the model");
    assertTrue(Files.exists(study.resolve("seed-2/spec-scone-f6/scone/spec-scone/fgram_embeddings/_SUCCESS")));
    String report = Files.readString(study.resolve("report/report.md"));
    for (String part : List.of("## SCONE at inference: through the precomputed tables", "## SCONE's first knob: f-grams per table",
        "| spec-scone-f6 | 6 |", "## The f-gram model's final LayerNorm, ablated", "| spec-scone-nolnf − spec-scone |",
        "## SCONE against a larger plain model", "| spec-scone − spec-d48 |",
        // one seed cannot separate the larger model's gain from noise: no share is computed from it
        "spec-d48 is not better than spec beyond seed noise")) {
      assertTrue(report.contains(part), part + " in\n" + report);
    }
    assertTrue(Files.size(study.resolve("report/scone_fgrams.png")) > 1000);
  }
}
