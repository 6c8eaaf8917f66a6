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

  static String markdown(StageContext ctx, List<String> sources, String newSource, List<Study.ArmRun> runs, double wallSeconds) {
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
            + "%d global (STD, GLOB, TRIM)%n", m.dModel(), m.layers(), m.heads(), m.mlpRatio(), c.tokenize().seqLen(), c.vocab().vocabSize(),
        c.vocab().globalVocabSize()));
    b.append(String.format(Locale.ROOT, "- budget: %d rounds x %d sources per round x %d local steps x batch %d x %d tokens; the STD arms run "
            + "one mixture task of %d x %d steps per round (the same tokens); lr %s, seeds %s%n", t.rounds(), perRound, t.localSteps(),
        t.optim().batchSize(), c.tokenize().seqLen(), perRound, t.localSteps(), t.optim().lr(), c.study().seeds()));
    Runtime rt = Runtime.getRuntime();
    b.append(String.format(Locale.ROOT, "- machine: %d cores, %.1f GiB max heap, %s %s, Java %s; Spark master %s%n", rt.availableProcessors(),
        rt.maxMemory() / (1024.0 * 1024 * 1024), System.getProperty("os.name"), System.getProperty("os.arch"),
        System.getProperty("java.version"), ctx.spark().sparkContext().master()));
    b.append(String.format(Locale.ROOT, "- wall time: %.1f min for %d training runs and the extensions (data stages not included)%n",
        wallSeconds / 60, runs.size()));
    return b.toString();
  }
}
