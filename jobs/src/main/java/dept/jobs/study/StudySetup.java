package dept.jobs.study;

import dept.eval.Study;
import dept.jobs.run.StageContext;
import dept.jobs.config.PipelineConfig;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/** The report's first section: what was trained on what, with which budget, on which machine, in how long. */
final class StudySetup {

  private StudySetup() {}

  private static String outer(dept.train.federated.OuterConfig o) {
    String weights = o.weightByTokens() ? "token-weighted" : "uniform";
    return o.kind() == dept.train.federated.OuterConfig.Kind.FEDAVG ? "FedAvg (" + weights + ")"
        : String.format(Locale.ROOT, "Nesterov (lr %s, momentum %s, %s)", o.lr(), o.momentum(), weights);
  }

  static String markdown(StageContext ctx, List<String> sources, String newSource, List<Study.ArmRun> runs, double wallSeconds,
      ScoredBytes scoredBytes) {
    PipelineConfig c = ctx.config();
    TreeSet<String> inputs = new TreeSet<>();
    c.ingest().sources().forEach(s -> inputs.addAll(s.inputs()));
    var m = c.model();
    var t = c.train();
    int perRound = t.sourcesPerRound() == 0 ? sources.size() : Math.min(t.sourcesPerRound(), sources.size());
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "- command: `dept study --config <this run's config>`; effective config: `%s`%n",
        ctx.layout().effectiveConfig("study")));
    b.append("- corpus: ").append(String.join(", ", inputs)).append("; training sources (").append(sources.size()).append("): ")
        .append(String.join(", ", sources)).append(newSource == null ? "" : "; held out for the extension: " + newSource).append('\n');
    b.append(String.format(Locale.ROOT, "- body: d_model %d, %d layers, %d heads, MLP x%d, context %d; vocabularies: %d per source (SPEC), "
            + "%d global (STD, GLOB, TRIM, SPEC+GLOBALVOCAB)%n", m.dModel(), m.layers(), m.heads(), m.mlpRatio(), c.tokenize().seqLen(), c.vocab().vocabSize(),
        c.vocab().globalVocabSize()));
    int k = perRound;
    long h = t.localSteps();
    int batch = t.optim().batchSize();
    b.append(String.format(Locale.ROOT, "- budget: %d rounds x %d sources per round x %d local steps x batch %d x %d tokens = %,d tokens per arm; "
            + "inner state %s for shared tensors, private ones %s; outer %s; lr %s, seeds %s%n", t.rounds(), k, h, batch, c.tokenize().seqLen(),
        (long) t.rounds() * k * h * batch * c.tokenize().seqLen(), t.innerState().name().toLowerCase(Locale.ROOT),
        t.privateState().name().toLowerCase(Locale.ROOT), outer(t.outer()), t.optim().lr(), c.study().seeds()));
    for (var baseline : c.study().stdBaselines()) {
      b.append(switch (baseline) {
        case STEPS -> String.format(Locale.ROOT, "- `std-dp-*` (the paper's baseline): one mixture task, batch %d x %d = %d, %d steps per round: "
            + "the same tokens and the same %d sequential optimizer steps as a DEPT arm%n", k, batch, k * batch, h, t.rounds() * h);
        case TOKENS -> String.format(Locale.ROOT, "- `std-seq-*`: one mixture task, batch %d, %d x %d = %d steps per round: the same tokens in "
            + "%d sequential steps (%dx a DEPT arm's)%n", batch, k, h, k * h, t.rounds() * k * h, k);
        case IID -> String.format(Locale.ROOT, "- `std-iid-*` (IID control): %d replicas on disjoint shards of the mixture, %d steps at batch %d "
            + "each per round, averaged like the DEPT arms (same inner state): federated averaging without heterogeneity%n", k, h, batch);
      });
    }
    b.append(t.validationSample().wholeDocuments()
        ? String.format(Locale.ROOT, "- validation: each source's first whole documents within %,d bytes (`train.eval_bytes`), the same text "
            + "for every arm and tokenizer; bytes scored per source (every arm): %s%n", t.evalBytes(), scoredBytes.markdown())
        : String.format(Locale.ROOT, "- validation: the first %d blocks per source (`train.eval_blocks`): under different tokenizers they end at "
            + "different text; bytes scored per source: %s%n", t.evalBlocks(), scoredBytes.markdown()));
    Runtime rt = Runtime.getRuntime();
    b.append(String.format(Locale.ROOT, "- machine: %d cores, %.1f GiB max heap, %s %s, Java %s; Spark master %s%n", rt.availableProcessors(),
        rt.maxMemory() / (1024.0 * 1024 * 1024), System.getProperty("os.name"), System.getProperty("os.arch"),
        System.getProperty("java.version"), ctx.spark().sparkContext().master()));
    b.append(String.format(Locale.ROOT, "- wall time of this invocation: %.1f min for %d training runs and the extensions (data stages, and "
            + "arms kept by --resume, not included); training time summed over the runs: %.1f min%n",
        wallSeconds / 60, runs.size(), runs.stream().mapToDouble(Study.ArmRun::trainSeconds).sum() / 60));
    return b.toString();
  }
}
