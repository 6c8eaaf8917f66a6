package dept.jobs.cli;

import dept.jobs.run.OutputLayout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.jobs.ZeppelinNotes;
import dept.jobs.config.ConfigLoader;
import dept.prep.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI end to end on the embedded sample corpus, as README command 1 runs it (the smallest model: see {@link SamplePipeline}). */
class DeptCliTest {

  @TempDir Path dir;

  private static CliRun.Result run(String... args) {
    return CliRun.run(args);
  }

  private String[] withOutput(String stage, String... extra) {
    return CliRun.onSample(stage, dir.resolve("out"), extra);
  }

  @Test
  void ingestWritesDocumentsRejectsStatsAndTheEffectiveConfig() throws Exception {
    SamplePipeline.Run run = SamplePipeline.get();
    CliRun.Result r = run.pipeline();
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("(balanced)"), r.out());
    Path out = run.out();
    for (String d : List.of("documents", "rejects", "source_stats")) {
      assertTrue(Files.exists(out.resolve(d).resolve("_SUCCESS")), d + " is complete");
    }
    assertTrue(Files.readString(out.resolve("config/ingest.yaml")).contains("val_fraction: 0.1"));
    try (var entries = Files.list(out)) {
      assertEquals(List.of(), entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList(),
          "no temporary directory is left behind");
    }

    SparkSession spark = SparkTestSession.get();
    var docs = spark.read().parquet(out.resolve("documents").toString());
    assertEquals(
        List.of("doc_id", "text", "split", "bytes", "source"), List.of(docs.schema().fieldNames()));
    var stats = spark.read().parquet(out.resolve("source_stats").toString());
    long written = stats.selectExpr("sum(documents)").first().getLong(0);
    assertEquals(docs.count(), written, "source_stats agrees with documents");
    Row zh = stats.where("source = 'zh'").first();
    assertEquals("han", zh.getString(zh.fieldIndex("dominant_script")));
    long rejected = spark.read().parquet(out.resolve("rejects").toString()).count();
    assertEquals(stats.selectExpr("sum(rejected)").first().getLong(0), rejected);
  }

  @Test
  void thePipelineRunsEveryStageAndTheHeldOutEvaluation() throws Exception {
    SamplePipeline.Run run = SamplePipeline.get();
    Path out = run.out();
    CliRun.Result pipeline = run.pipeline();
    assertEquals(0, pipeline.exit(), pipeline.err());
    assertTrue(pipeline.out().contains("embedding memory"), pipeline.out());
    for (String name : List.of("en", "code", "global")) {
      Path json = out.resolve("tokenizers").resolve(name).resolve("tokenizer.json");
      try (var hf = ai.djl.huggingface.tokenizers.HuggingFaceTokenizer.newInstance(json)) {
        assertTrue(hf.encode("hello world").getIds().length > 0, name + " loads in HF tokenizers");
      }
    }
    assertTrue(pipeline.out().contains("validation positions covered"), pipeline.out());
    for (String d : List.of("vocab", "blocks", "tokenize_stats", "embedding_memory", "ngrams", "fgrams", "fgram_coverage")) {
      assertTrue(Files.exists(out.resolve(d).resolve("_SUCCESS")), d + " is complete");
    }
    // dept train ran every variant: a loadable model, metrics, validation and timings each.
    for (String variant : List.of("std", "act", "glob", "trim", "spec", "spec-scone", "spec-rtd", "spec-globalvocab")) {
      Path train = out.resolve("train").resolve(variant);
      for (String d : List.of("model", "metrics", "validation", "timings")) {
        assertTrue(Files.exists(train.resolve(d).resolve("_SUCCESS")), variant + "/" + d + " is complete");
      }
      var model = dept.train.rounds.TrainedModel.load(train.resolve("model").toString(), new org.apache.hadoop.conf.Configuration());
      assertEquals(variant.toUpperCase(java.util.Locale.ROOT).replace('-', '+'), model.variant());
      assertEquals(variant.startsWith("spec") ? 5 : 1, model.embeddings().size(), variant + ": one table per source, or the global one");
      assertEquals(variant.equals("spec-globalvocab"), !model.tablesNamedByTokenizer(), variant + ": its tables read the global tokenizer");
      assertEquals(variant.endsWith("scone"), model.embeddings().values().iterator().next().names().stream()
          .anyMatch(n -> n.startsWith("scone.")), variant + ": an f-gram model per source only with SCONE");
    }
    // scone-precompute: one table per tokenizer; evaluate scored SPEC+SCONE through it, matching training's f-gram model.
    for (String t : List.of("code", "en", "ja", "ru", "zh")) {
      Path table = out.resolve("scone/spec-scone/fgram_embeddings/table=" + t);
      try (var files = Files.list(table)) {
        assertTrue(files.anyMatch(f -> f.toString().endsWith(".parquet")), t + ": a Parquet table");
      }
    }
    assertTrue(pipeline.out().contains("SCONE at inference (lookup table in host memory, f-gram model not run)"), pipeline.out());
    assertTrue(pipeline.out().contains("SCONE scaling on SPEC+SCONE"), pipeline.out());
    assertTrue(pipeline.out().contains("validation bits per byte after the last round"), pipeline.out());
    assertTrue(pipeline.out().contains("data-parallel STD all-reduces the whole model"), pipeline.out());
    // evaluate and report: the comparison agrees with the metrics it is built from; the charts are real PNGs.
    assertTrue(pipeline.out().contains("| variant | rounds | sources | bits/byte (mean)"), pipeline.out());
    assertTrue(pipeline.out().contains("report: " + out.resolve("reports/local") + "/report.md"), pipeline.out());
    for (String png : List.of("bits_per_byte", "bytes_communicated", "embedding_memory", "loss_spec", "loss_std", "loss_spec-scone",
        "scone_fgrams", "scone_layers", "extension_tradeoff", "extension_frontier", "extension_frontier_worst", "early_exit")) {
      byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(out.resolve("reports/local/" + png + ".png")), 4);
      assertEquals("\u0089PNG", new String(head, java.nio.charset.StandardCharsets.ISO_8859_1), png);
    }
    assertTrue(Files.readString(out.resolve("reports/local/report.md")).contains("![bits per byte](bits_per_byte.png)"));
    assertTrue(Files.readString(out.resolve("reports/local/report.md")).contains("## SCONE"));
    // SPEC+RTD trained with ELECTRA's objective; early-exit scored it and the generator alternatives.
    assertTrue(pipeline.out().contains("Replaced-token detection with early exit"), pipeline.out());
    assertTrue(Files.readString(out.resolve("reports/local/report.md")).contains("## ELECTRA: replaced-token detection with early exit"));
    // extend: el was kept out of training and added to SPEC by every method; the report has the trade-off.
    assertTrue(pipeline.out().contains("el is extend.new_source") || pipeline.out().contains("extend SPEC with el"), pipeline.out());
    assertTrue(pipeline.out().contains("Extending SPEC to el"), pipeline.out());
    assertTrue(Files.readString(out.resolve("reports/local/report.md")).contains("## Extension to a new source (neutral residues)"));
    for (String method : List.of("neutral", "adapter", "lora")) {
      assertTrue(Files.size(out.resolve("extend/spec-el/params/" + method + ".bin")) > 0, method + ": its added parameters are saved");
    }
    SparkSession spark = SparkTestSession.get();
    for (Row l : spark.read().parquet(out.resolve("evaluation/scone_lookup").toString()).collectAsList()) {
      double lookup = l.getDouble(l.fieldIndex("bits_per_byte_lookup"));
      double viaModel = l.getDouble(l.fieldIndex("bits_per_byte_fgram_model"));
      assertTrue(Math.abs(lookup - viaModel) < 1e-4, l + ": the table gives the f-gram model's bits per byte");
    }
    var exits = spark.read().parquet(out.resolve("evaluation/early_exit").toString());
    assertEquals(List.of("mlm", "uniform"), exits.select("generator").distinct().orderBy("generator").collectAsList().stream()
        .map(g -> g.getString(0)).toList(), "the trained generator and the one compared");
    assertEquals(0, exits.where("threshold = 1.0 and (skipped_fraction != 0 or macs_fraction != 1)").count(), "nothing exits at threshold 1.0");
    assertEquals(List.of("mlm", "uniform", "unigram"), exits.select("corrupted_by").distinct().orderBy("corrupted_by").collectAsList().stream()
        .map(g -> g.getString(0)).toList(), "one shared corrupted set per generator kind");
    assertEquals(0, exits.groupBy("corrupted_by", "source", "threshold").agg(
        org.apache.spark.sql.functions.countDistinct("positions", "replaced").as("n"), org.apache.spark.sql.functions.count("*").as("runs"))
        .where("n != 1 or runs != 2").count(), "both discriminators scored on the same corrupted positions of each set");
    var extension = spark.read().parquet(out.resolve("extend/spec-el/results").toString());
    assertEquals(5 * 6, extension.count(), "5 methods x (5 original sources + el)");
    assertEquals(0, extension.groupBy("source").agg(org.apache.spark.sql.functions.countDistinct("bits_per_byte_before").as("n"))
        .where("n != 1").count(), "every method starts from the same base figures");
    assertEquals(5, extension.where("role = 'new' and bits_per_byte_after < bits_per_byte_before").count(), "every method learns el");
    assertEquals(0, extension.where("method = 'embeddings' and role = 'original' and bits_per_byte_after != bits_per_byte_before").count(),
        "only el's rows train in the embeddings-only baseline: the original sources score exactly as before");
    // extend.sweep (SamplePipeline's): neutral residues at a second lr, at alpha 0 and without original batches.
    var sweep = spark.read().parquet(out.resolve("extend/spec-el/sweep/results").toString());
    assertEquals(List.of("adapter", "embeddings", "finetune", "lora", "neutral", "neutral_lr0.002_a0_f0.1", "neutral_lr0.002_a1_f0",
        "neutral_lr0.006_a1_f0.1"), sweep.select("trial").distinct().orderBy("trial").collectAsList().stream().map(r -> r.getString(0)).toList());
    assertEquals(8 * 6, sweep.count(), "8 trials x (5 original sources + el)");
    assertEquals(0, sweep.where("trial = method").exceptAll(extension.selectExpr("method as trial", "cast(2.0e-3 as double) as lr",
        "cast(1.0 as double) as alpha", "cast(0.1 as double) as original_fraction", "*")).count(), "the main trials in the sweep table are the results table's rows");
    assertEquals(4 + 1, spark.read().parquet(out.resolve("extend/spec-el/sweep/gates").toString()).where("domain = 'original'").count(),
        "4 neutral trials and the adapter's, one layer each");
    String report = Files.readString(out.resolve("reports/local/report.md"));
    for (String part : List.of("### The sweep", "**Learn vs forget over learning rates**", "**Neutral residues over alpha**", "**Data mix**")) {
      assertTrue(report.contains(part), part);
    }
    for (Row c : spark.read().parquet(out.resolve("evaluation/comparison").toString()).collectAsList()) {
      String variant = c.getString(c.fieldIndex("variant"));
      Row m = spark.read().parquet(out.resolve("train/" + OutputLayout.dirName(variant) + "/metrics").toString())
          .selectExpr("sum(bytes_up)", "sum(bytes_down)").first();
      assertEquals(m.getLong(0), c.getLong(c.fieldIndex("bytes_up_total")), variant + ": bytes up");
      assertEquals(m.getLong(1), c.getLong(c.fieldIndex("bytes_down_total")), variant + ": bytes down");
    }
    // The held-out corpus (pipeline --heldout), scored with every tokenizer a model has.
    assertTrue(pipeline.out().contains("held-out corpus " + SamplePipeline.HELD_OUT), pipeline.out());
    assertEquals(7, pipeline.out().lines().filter(l -> l.endsWith(" best") && !l.startsWith("variant")).count(), "one best table per variant: " + pipeline.out());
    assertTrue(Files.exists(out.resolve("evaluation/heldout/_SUCCESS")));
    var heldOut = spark.read().parquet(out.resolve("evaluation/heldout").toString());
    assertEquals(5L, heldOut.where("variant = 'SPEC+GLOBALVOCAB' AND tokenizer = 'global' AND table != 'global'").count(),
        "a source's table, read with the global tokenizer");
    assertEquals(0L, heldOut.where("variant != 'SPEC+GLOBALVOCAB' AND tokenizer != table").count());
    // A bad line in a held-out corpus is named (file and line) before any scoring.
    Path bad = dir.resolve("bad.jsonl");
    Files.writeString(bad, "{\"text\": \"a fine document\"}\n{\"txt\": \"no text field\"}\n");
    CliRun.Result refused = run(run.args("evaluate", "--heldout", bad.toString()));
    assertEquals(1, refused.exit(), refused.out());
    assertTrue(refused.err().contains(bad + ":2: no string field \"text\""), refused.err());
    assertTrue(!refused.out().contains("| variant | rounds"), "refused before the comparison: " + refused.out());
    // A driver result limit one round's mean would exceed is refused before any round, with the number it needs.
    CliRun.Result tooSmall = run(run.args("train", "--variant", "SPEC", "--set", "model.d_model=256",
        "--set", "spark.conf={spark.ui.enabled: \"false\", spark.driver.maxResultSize: 1m}"));
    assertEquals(DeptCli.EXIT_CONFIG, tooSmall.exit(), tooSmall.err());
    assertTrue(tooSmall.err().matches("(?s).*spark.driver.maxResultSize = 1.0 MB is below the 3\\.\\d MB one SPEC round sends the "
        + "driver .*: set it to at least 3\\.\\d MB.*"), tooSmall.err());
    assertFalse(Files.exists(out.resolve("train/spec/checkpoints/round-00003")), "no round ran");
  }

  @Test
  void everyZeppelinNoteRunsOnThePipelineOutput() throws java.io.IOException {
    SamplePipeline.Run run = SamplePipeline.get();
    assertEquals(0, run.pipeline().exit(), run.pipeline().err());
    List<Path> notes; // every note but the study's (StudyTest runs that one)
    try (var files = Files.list(Path.of("../notebooks"))) {
      notes = files.filter(p -> p.toString().endsWith(".zpln") && !p.getFileName().equals(ZeppelinNotes.STUDY_NOTE.getFileName())).sorted().toList();
    }
    assertEquals(8, notes.size(), "notes: " + notes);
    SparkSession spark = SparkTestSession.get();
    for (Path note : notes) {
      ZeppelinNotes.runNote(note, run.out(), spark);
    }
    Row unbalanced = spark.sql("SELECT count(*) FROM source_stats WHERE read != written + rejected").first();
    assertEquals(0L, unbalanced.getLong(0));
  }

  @Test
  void benchScoringTimesTheStageAgainstEvaluatesScoringOfTheSameDocuments() {
    SamplePipeline.Run run = SamplePipeline.get();
    assertEquals(0, run.pipeline().exit(), run.pipeline().err());
    CliRun.Result r = run(run.args("bench", "scoring", "--score-copies", "1", "--repeats", "1"));
    assertEquals(0, r.exit(), r.err() + r.out());
    java.util.Map<String, String[]> rows = new java.util.TreeMap<>();
    for (String line : r.out().lines().toList()) {
      for (String name : List.of("scoring stage", "peer: dept evaluate", "SQL: dept_score")) {
        if (line.startsWith(name) && !line.contains(" vs ")) {
          String[] cells = line.trim().split("\\s+");
          rows.put(name, java.util.Arrays.copyOfRange(cells, cells.length - 7, cells.length));
        }
      }
    }
    assertEquals(3, rows.size(), r.out());
    // documents, tokens, bits per byte: the same documents and tokens, cut differently (packed vs one by one)
    assertEquals(rows.get("scoring stage")[0], rows.get("peer: dept evaluate")[0]);
    assertEquals(Double.parseDouble(rows.get("scoring stage")[1]), Double.parseDouble(rows.get("peer: dept evaluate")[1]),
        0.02 * Double.parseDouble(rows.get("scoring stage")[1]));
    assertEquals(Double.parseDouble(rows.get("scoring stage")[2]), Double.parseDouble(rows.get("peer: dept evaluate")[2]), 0.05);
    assertEquals(List.of(rows.get("scoring stage")[0], rows.get("scoring stage")[1], rows.get("scoring stage")[2]),
        List.of(rows.get("SQL: dept_score")[0], rows.get("SQL: dept_score")[1], rows.get("SQL: dept_score")[2]), "SQL scores as the stage");
    assertTrue(r.out().contains("| scoring | documents/s, scoring stage on GLOB's validation documents |"), r.out());
  }

  @Test
  void aStageWhoseInputIsMissingNamesTheStageToRunFirst() {
    CliRun.Result r = run(withOutput("vocab"));
    assertEquals(DeptCli.EXIT_CONFIG, r.exit());
    assertTrue(r.err().contains("documents is missing or incomplete: run `dept ingest` first"), r.err());
  }

  @Test
  void configErrorsExitTwoWithOneLineNamingTheKey() {
    CliRun.Result r = run(withOutput("ingest", "--set", "ingest.sources[3].fromat=jsonl"));
    assertEquals(DeptCli.EXIT_CONFIG, r.exit());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("dept ingest: error: ../conf/local.yaml: unknown key ingest.sources[3].fromat"), r.err());
  }

  @Test
  void aMissingInputPathExitsTwoBeforeSparkStarts() {
    CliRun.Result r = run(withOutput("ingest", "--set", "ingest.sources[2].inputs=[" + dir.resolve("none/*.jsonl") + "]"));
    assertEquals(DeptCli.EXIT_CONFIG, r.exit());
    assertTrue(r.err().contains("ingest.sources[2].inputs[0]: no input file matches"), r.err());
    assertTrue(SparkSession.getActiveSession().isEmpty(), "no Spark session was started");
  }

  @Test
  void everyCommandHasHelpAndUnknownOptionsFail() {
    for (String cmd : List.of("ingest", "vocab", "tokenize", "ngrams", "train", "evaluate", "report", "pipeline", "bench", "study", "extend", "early-exit", "scone-precompute", "scone-scaling")) {
      CliRun.Result r = run(cmd, "--help");
      assertEquals(0, r.exit());
      assertTrue(r.out().contains("--config") && r.out().contains("--set"), r.out());
    }
    CliRun.Result bad = run("ingest", "--bogus");
    assertEquals(2, bad.exit());
    assertTrue(bad.err().contains("Unknown option: '--bogus'"), bad.err());
    assertEquals(2, run().exit(), "no stage given");
    assertTrue(ConfigLoader.class.getResource(ConfigLoader.DEFAULT_RESOURCE) != null, "local.yaml is embedded");
  }
}
