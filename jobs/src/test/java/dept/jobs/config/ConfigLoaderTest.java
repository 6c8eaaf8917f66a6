package dept.jobs.config;

import java.util.Map;
import dept.train.federated.OuterConfig;
import dept.train.rtd.RtdConfig;
import dept.train.rounds.Variant;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dept.prep.ingest.InputFormat;
import dept.prep.ingest.WhitespaceMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  private static final Path LOCAL = Path.of("../conf/local.yaml");

  private final ConfigLoader loader = new ConfigLoader();

  @TempDir Path dir;

  private Path yaml(String text) throws IOException {
    Path p = dir.resolve("c.yaml");
    Files.writeString(p, text);
    return p;
  }

  private ConfigException error(Path file, String... overrides) {
    return assertThrows(ConfigException.class, () -> loader.load(file, List.of(overrides)));
  }

  @Test
  void localConfigAndEmbeddedDefaultAreTheSame() {
    PipelineConfig file = loader.load(LOCAL, List.of());
    PipelineConfig embedded = loader.load(null, List.of());
    assertEquals(file, embedded);
    assertEquals(9, file.ingest().sources().size());
    assertEquals("el", file.extend().newSource(), "the ninth source is the one dept extend adds");
    assertEquals(WhitespaceMode.PRESERVE, file.ingest().source("code").whitespace());
  }

  @Test
  void anExtensionSourceMustBeAConfiguredSource() {
    ConfigException e = error(LOCAL, "extend.new_source=xx");
    assertTrue(e.getMessage().contains("extend.new_source 'xx' is not one of ingest.sources"), e.getMessage());
    ConfigException m = error(LOCAL, "extend.methods=[neutral, prompt]");
    assertTrue(m.getMessage().contains("'prompt' is not one of neutral, adapter, lora, finetune, embeddings"), m.getMessage());
  }

  @Test
  void missingKeysTakeTheirDefaults() throws IOException {
    PipelineConfig c =
        loader.load(yaml("ingest:\n  sources:\n    - {name: a, inputs: x.jsonl, format: jsonl}\n"), List.of());
    assertEquals("out", c.run().output());
    assertEquals("local[*]", c.spark().master());
    assertEquals(List.of("x.jsonl"), c.ingest().sources().get(0).inputs(), "a single input is a list of one");
    assertEquals("text", c.ingest().sources().get(0).textField());
    assertEquals(0.05, c.ingest().valFraction());
  }

  @Test
  void rejectsUnknownConfigKeyNamingItsPathAndTheKnownKeys() throws IOException {
    ConfigException e = error(yaml("ingest:\n  sources:\n    - {name: a, inputs: [x], fromat: jsonl}\n"));
    assertTrue(e.getMessage().contains("unknown key ingest.sources[0].fromat"), e.getMessage());
    assertTrue(e.getMessage().contains("known keys: filter, format, inputs"), e.getMessage());
  }

  @Test
  void rejectsUnknownFormatListingTheAcceptedOnes() throws IOException {
    ConfigException e = error(yaml("ingest:\n  sources:\n    - {name: a, inputs: [x], format: csv}\n"));
    assertTrue(
        e.getMessage().endsWith("ingest.sources[0].format: bad value 'csv'; accepted: jsonl, text-lines, text-files, parquet"),
        e.getMessage());
  }

  @Test
  void rejectsBadValuesWithTheFieldAndTheValue() {
    assertTrue(error(LOCAL, "ingest.val_fraction=1.5").getMessage().endsWith("ingest: val_fraction must be in [0, 1), got 1.5"));
    assertTrue(error(LOCAL, "ingest.min_chars=abc").getMessage().endsWith("ingest.min_chars: bad value 'abc'"));
    assertTrue(error(LOCAL, "ingest.min_chars=2.5").getMessage().contains("ingest.min_chars"));
    assertTrue(error(LOCAL, "ingest.sources[1].name=De").getMessage().contains("ingest.sources[1]: name must match"));
    // Source names become path components (tokenizers/<name>/, train/<variant>/checkpoints/state/<name>/):
    // nothing that could climb out of run.output.
    for (String escape : List.of("../etc", "a/../../b", "..", "/abs")) {
      assertTrue(error(LOCAL, "ingest.sources[1].name='" + escape + "'").getMessage().contains("name must match"), escape);
    }
    assertTrue(error(LOCAL, "train.faults.fail_fraction=0.7", "train.faults.nan_fraction=0.7").getMessage()
        .contains("train.faults: fractions must be >= 0 and sum to <= 1"));
    assertTrue(error(LOCAL, "train.inner_state=sometimes").getMessage().endsWith("train.inner_state: bad value 'sometimes'; accepted: reset, keep, average"));
    assertTrue(error(LOCAL, "ingest.sources[1].name=en").getMessage().contains("the name 'en' is used twice"));
    // TRIM replicas hold different token rows: kept moments could not be averaged (it crashed inside a task before).
    assertTrue(error(LOCAL, "train.replicas=2", "train.inner_state=keep").getMessage()
        .contains("train: TRIM with replicas > 1 needs inner_state: reset"));
    assertTrue(error(LOCAL, "train.replicas=2", "train.shard_mb=0").getMessage().contains("train.shard_mb must be in (0, 1024], got 0.0"));
  }

  @Test
  void everyClosedChoiceIsRefusedAtLoadListingTheAllowedValues() {
    Map<String, String> refusals = Map.of(
        "train.outer.kind=adam", "train.outer.kind: bad value 'adam'; accepted: fedavg, nesterov",
        "train.objective=mlm", "train.objective: bad value 'mlm'; accepted: clm, rtd",
        "train.scone.mode=concat", "train.scone.mode: bad value 'concat'; accepted: replace, add",
        "train.rtd.generator=gpt", "train.rtd.generator: bad value 'gpt'; accepted: mlm, unigram, uniform",
        "tokenize.encoder=spm", "tokenize.encoder: bad value 'spm'; accepted: dept, hf");
    refusals.forEach((override, message) -> assertTrue(error(LOCAL, override).getMessage().endsWith(message),
        override + " -> " + error(LOCAL, override).getMessage()));
    assertEquals(RtdConfig.Generator.UNIFORM, loader.load(LOCAL, List.of("train.rtd.generator=none")).train().rtd().generator());
    assertEquals(OuterConfig.Kind.NESTEROV, loader.load(LOCAL, List.of("train.outer.kind=Nesterov")).train().outer().kind());
  }

  @Test
  void variantsComposeOrAreRefusedAtLoadNamingTheKey() {
    assertEquals(List.of(Variant.parse("TRIM+SCONE"), Variant.parse("GLOB+RTD")),
        loader.load(LOCAL, List.of("train.variants=[trim+scone, glob+rtd]")).train().variants());
    String both = error(LOCAL, "train.variants=[SPEC, SPEC+RTD+SCONE]").getMessage();
    assertTrue(both.contains("train.variants[1]") && both.contains("+SCONE and +RTD do not combine"), both);
    String unknown = error(LOCAL, "train.variants=[SPEC+LORA]").getMessage();
    assertTrue(unknown.contains("train.variants[0]") && unknown.contains("unknown suffix +LORA"), unknown);
  }

  @Test
  void rejectsAFilterOnAFormatWithoutFields() throws IOException {
    ConfigException e =
        error(yaml("ingest:\n  sources:\n    - {name: a, inputs: [x], format: text-lines, filter: {lang: [en]}}\n"));
    assertTrue(e.getMessage().contains("only jsonl and parquet sources can filter"), e.getMessage());
  }

  @Test
  void overridesAreTypedAndReachIntoLists() {
    PipelineConfig c =
        loader.load(
            LOCAL,
            List.of(
                "ingest.val_fraction=0.25", "run.output=/tmp/x", "ingest.sources[7].format=text-files",
                "ingest.sources[7].filter={}", "ingest.sources[0].inputs=[a.jsonl, b.jsonl]",
                "spark.conf[spark.ui.enabled]=true", "spark.conf[spark.hadoop.fs.s3a.endpoint]=http://127.0.0.1:9000"));
    assertEquals("true", c.spark().conf().get("spark.ui.enabled"));
    assertEquals("http://127.0.0.1:9000", c.spark().conf().get("spark.hadoop.fs.s3a.endpoint"));
    assertEquals(0.25, c.ingest().valFraction());
    assertEquals("/tmp/x", c.run().output());
    assertEquals(InputFormat.TEXT_FILES, c.ingest().sources().get(7).format());
    assertEquals(List.of("a.jsonl", "b.jsonl"), c.ingest().sources().get(0).inputs());
  }

  @Test
  void pathsSplitOnDotsAndBrackets() {
    assertEquals(List.of("a", "b", 2, "c"), ConfigLoader.parsePath("a.b[2].c"));
    assertEquals(List.of("spark", "conf", "spark.ui.enabled"), ConfigLoader.parsePath("spark.conf[spark.ui.enabled]"));
    assertEquals(List.of("a", 0, 1), ConfigLoader.parsePath("a[0][1]"));
  }

  @Test
  void rejectsMalformedOverrides() {
    assertTrue(error(LOCAL, "ingest.val_fraction").getMessage().contains("expected key=value"));
    assertTrue(error(LOCAL, "ingest.sources[99].name=x").getMessage().contains("index 99 is not in the list"));
    assertTrue(error(LOCAL, "ingest.nope=1").getMessage().contains("unknown key ingest.nope"));
    assertTrue(error(LOCAL, "ingest.sources[x].name=a").getMessage().contains("'x' is not inside a mapping"));
    assertTrue(error(LOCAL, "ingest..name=a").getMessage().contains("empty key segment"));
  }

  @Test
  void refusesCredentialsInTheConfig() {
    ConfigException e = error(LOCAL, "spark.conf[spark.hadoop.fs.s3a.secret.key]=abc");
    assertTrue(e.getMessage().contains("credentials do not belong in a config file"), e.getMessage());
    assertTrue(error(LOCAL, "spark.conf[spark.hadoop.fs.s3a.access.key]=abc").getMessage().contains("credentials"));
  }

  @Test
  void clusterConfigsLoad() {
    assertEquals("cluster", loader.load(Path.of("../conf/cluster-gpu.yaml"), List.of()).run().name());
    assertEquals("cluster", loader.load(Path.of("../conf/cluster-template.yaml"), List.of()).run().name());
  }

  @Test
  void studyConfigLoadsWithItsArmsAndDerivedRunsOverrideIt() {
    PipelineConfig study = loader.load(Path.of("../conf/study.yaml"), List.of());
    assertEquals(List.of(1L, 2L, 3L), study.study().seeds());
    assertEquals(List.of(0.3), study.study().stdTemperatures());
    assertEquals(List.of(StudyConfig.StdBaseline.STEPS, StudyConfig.StdBaseline.TOKENS), study.study().stdBaselines());
    assertEquals(List.of("GLOB", "TRIM", "SPEC", "SPEC+GLOBALVOCAB"), study.study().variants().stream().map(Variant::name).toList());
    assertEquals(96, study.train().localSteps(), "the paper's regime: hundreds of local steps, not 30");
    assertTrue(study.train().validationSample().wholeDocuments(), "every arm scored on the same bytes");
    assertTrue(study.train().localValidation());
    assertTrue(study.ingest().sources().size() >= 9, "at least 8 training sources and the held-out one");
    assertEquals(study.run().output(), study.run().data(), "run.data defaults to run.output");
    PipelineConfig arm = loader.derive(study, List.of("run.output=\"x/study/seed-2/std-t1\"", "run.data=out-study", "train.seed=2",
        "train.variants=[STD]", "train.temperature=1.0"));
    assertEquals("x/study/seed-2/std-t1", arm.run().output());
    assertEquals("out-study", arm.run().data());
    assertEquals(2L, arm.train().seed());
    assertEquals(1.0, arm.train().temperature());
    assertEquals(study.model(), arm.model(), "everything not overridden is kept");
    assertTrue(error(LOCAL, "study.std_temperatures=[1.5]").getMessage().contains("study.std_temperatures must be in [0, 1]"));
    assertTrue(error(LOCAL, "study.variants=[STD]").getMessage().contains("list its temperatures in study.std_temperatures"));
  }

  @Test
  void sconeStudyLayersItsArmsOverTheMainStudy() {
    PipelineConfig main = loader.load(Path.of("../conf/study.yaml"), List.of());
    PipelineConfig scone = loader.load(Path.of("../conf/study-scone.yaml"), List.of());
    assertEquals(main.ingest(), scone.ingest(), "the base's sections are kept where the file says nothing");
    assertEquals(main.model(), scone.model());
    assertEquals(main.train().optim().lr(), scone.train().optim().lr());
    assertEquals(List.of(8, 30, 64, 0L, 8), List.of(scone.train().rounds(), scone.train().localSteps(), scone.train().evalBlocks(),
        scone.train().evalBytes(), scone.train().optim().batchSize()), "the budget its README figures were measured with");
    assertEquals("out-study", scone.run().data(), "it reads the main study's prepared corpus");
    assertEquals(main.run().seed(), scone.run().seed(), "a mapping merges key by key: run.seed comes from the base");
    assertEquals(List.of("SPEC", "SPEC+SCONE"), scone.study().variants().stream().map(Variant::name).toList(), "a list replaces");
    assertEquals(List.of(100, 1000, 10000), scone.study().scone().fgrams());
    assertEquals(List.of(java.util.Map.of("d_model", 96), java.util.Map.of("layers", 5)), scone.study().scone().largerModels());
    assertTrue(main.study().scone().none(), "the main study has no SCONE knob arms");
    assertTrue(error(Path.of("../conf/study-scone.yaml"), "study.variants=[SPEC+SCONE]").getMessage()
        .contains("study.scone: SPEC+SCONE's curves and comparison start from SPEC: add it to study.variants"));
    assertTrue(error(Path.of("../conf/study-scone.yaml"), "study.scone.larger_models=[{width: 2}]").getMessage()
        .contains("study.scone.larger_models: width: 2"));
  }

  @Test
  void theSweepsExtensionAndHomogeneousStudiesLayerOverTheMainOne() {
    PipelineConfig main = loader.load(Path.of("../conf/study.yaml"), List.of());
    PipelineConfig sweeps = loader.load(Path.of("../conf/study-sweeps.yaml"), List.of());
    assertEquals(main.train(), sweeps.train(), "the same arms: the main study's are kept under --resume");
    assertEquals(main.run().output(), sweeps.run().output());
    assertEquals(List.of(1.0e-2, 3.0e-2), sweeps.study().lrSweep().lrs());
    assertTrue(sweeps.study().stdBaselines().contains(StudyConfig.StdBaseline.IID));
    PipelineConfig extend = loader.load(Path.of("../conf/study-extend.yaml"), List.of());
    assertEquals(List.of("SPEC"), extend.study().variants().stream().map(Variant::name).toList());
    assertEquals(5, extend.study().extendMethods().size());
    PipelineConfig homogeneous = loader.load(Path.of("../conf/study-homogeneous.yaml"), List.of());
    assertEquals(8, homogeneous.ingest().sources().size());
    for (int i = 0; i < 8; i++) {
      assertEquals(new dept.prep.ingest.SourceSpec.Shard(8, i), homogeneous.ingest().sources().get(i).shard());
    }
    assertEquals(null, homogeneous.extend().newSource());
    assertEquals(main.train(), homogeneous.train());
  }

  @Test
  void aBaseConfigIsReadRelativeToTheFileAndACycleIsRefused() throws IOException {
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(dir.resolve("sub/top.yaml"), "base: ../mid.yaml\ntrain: {rounds: 7}\n");
    Files.writeString(dir.resolve("mid.yaml"), "base: " + LOCAL.toAbsolutePath() + "\nrun: {name: mid}\n");
    PipelineConfig top = loader.load(dir.resolve("sub/top.yaml"), List.of("train.local_steps=3"));
    PipelineConfig local = loader.load(LOCAL, List.of());
    assertEquals(7, top.train().rounds());
    assertEquals(3, top.train().localSteps());
    assertEquals("mid", top.run().name());
    assertEquals(local.ingest(), top.ingest());
    assertEquals(local.train().optim(), top.train().optim());
    Files.writeString(dir.resolve("a.yaml"), "base: b.yaml\n");
    Files.writeString(dir.resolve("b.yaml"), "base: a.yaml\n");
    assertTrue(error(dir.resolve("a.yaml")).getMessage().contains("base configs form a cycle"));
    assertTrue(error(yaml("base: [x]\n")).getMessage().contains("base: expected the path of another config file"));
    assertEquals("config file not found: " + dir.resolve("gone.yaml"), error(yaml("base: gone.yaml\n")).getMessage());
  }

  @Test
  void rejectsMissingFileAndBrokenYaml() throws IOException {
    assertEquals("config file not found: " + dir.resolve("none.yaml"), error(dir.resolve("none.yaml")).getMessage());
    assertTrue(error(yaml("ingest: [unclosed\n")).getMessage().contains("not valid YAML"));
    assertTrue(error(yaml("run: {}\n")).getMessage().contains("ingest is required"));
  }

  @Test
  void effectiveConfigRoundTrips() throws IOException {
    PipelineConfig c = loader.load(LOCAL, List.of("ingest.val_fraction=0.3"));
    Path written = dir.resolve("effective.yaml");
    Files.writeString(written, loader.toYaml(c));
    assertEquals(c, loader.load(written, List.of()));
  }
}
