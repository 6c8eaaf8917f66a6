package dept.jobs.study;

import dept.jobs.run.Stage;
import dept.jobs.run.StageContext;
import dept.jobs.config.ConfigException;
import dept.jobs.config.StudyConfig;
import dept.eval.Comparison;
import dept.jobs.stages.ExtendStage;
import dept.jobs.stages.SconeLookupEvaluation;
import dept.jobs.stages.SconePrecomputeStage;
import dept.jobs.stages.TrainStage;
import dept.prep.io.AtomicOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code dept study}: trains every arm (STD at each temperature, then GLOB, TRIM, SPEC, SPEC+SCONE)
 * once per seed on the prepared corpus, extends each seed's base variant to the held-out source,
 * and writes the study's tables and report. Each arm is a complete run of its own under
 * {@code study/seed-<s>/<arm>/}, reading the data stages' outputs from the study's root.
 */
public final class StudyStage implements Stage {

  private final boolean resume;

  /** @param resume keep every arm (and extension) an interrupted study already completed */
  public StudyStage(boolean resume) {
    this.resume = resume;
  }

  @Override
  public String name() {
    return "study";
  }

  @Override
  public void run(StageContext ctx) {
    StudyConfig study = ctx.config().study();
    ctx.requireComplete(ctx.layout().blocks(), "tokenize");
    List<StudyArm> arms = StudyArm.of(study, ctx.config().train().scone());
    List<String> sources = TrainStage.trainingSources(ctx, ctx.spark().read().parquet(ctx.layout().blocks()));
    int perRound = ctx.config().train().sourcesPerRound() == 0 ? sources.size() : Math.min(ctx.config().train().sourcesPerRound(), sources.size());
    String base = ctx.config().extend().baseVariant();
    String newSource = ctx.config().extend().newSource();
    boolean extend = newSource != null && !study.extendMethods().isEmpty();
    if (extend && arms.stream().noneMatch(a -> extensionBase(a, base))) {
      throw new ConfigException("study: extend.base_variant " + base + " is not one of study.variants " + study.variants()
          + " (or set study.extend_methods: [] to skip the extension)");
    }
    System.out.printf("study: %d arms x %d seeds on %d sources (%d per round), %d rounds of %d steps; extension of %s to %s: %s%n",
        arms.size(), study.seeds().size(), sources.size(), perRound, ctx.config().train().rounds(), ctx.config().train().localSteps(),
        base, newSource, extend ? study.extendMethods() : "off");

    long studyStart = System.nanoTime();
    int total = arms.size() * study.seeds().size();
    int done = 0;
    double trainedSeconds = 0;
    int trained = 0;
    List<StudyResults.Arm> completed = new ArrayList<>();
    for (long seed : study.seeds()) {
      for (StudyArm arm : arms) {
        StageContext run = armContext(ctx, arm, seed, perRound);
        long start = System.nanoTime();
        boolean kept = resume && AtomicOutput.isComplete(run.layout().trainModel(arm.variant().name()), run.hadoop());
        if (kept) {
          System.out.printf("study: seed %d, arm %s: kept from the interrupted run (--resume)%n", seed, arm.name());
        } else {
          run.describe("study " + arm.name() + " seed " + seed);
          new TrainStage(null, false).run(run);
          run.writeEffectiveConfig("train");
          trainedSeconds += (System.nanoTime() - start) / 1e9;
          trained++;
        }
        if (arm.variant().scone() && !(resume && AtomicOutput.isComplete(run.layout().sconeLookup(), run.hadoop()))) {
          scoreThroughLookupTables(run, arm);
        }
        completed.add(new StudyResults.Arm(seed, arm, run));
        done++;
        double eta = trained == 0 ? 0 : trainedSeconds / trained * (total - done);
        System.out.printf(Locale.ROOT, "study: %d/%d runs done (seed %d, arm %s in %.0f s); ETA %.1f min for the remaining arms%n", done,
            total, seed, arm.name(), (System.nanoTime() - start) / 1e9, eta / 60);
      }
      if (extend) {
        StageContext run = armContext(ctx, arms.stream().filter(a -> extensionBase(a, base)).findFirst().orElseThrow(), seed, perRound);
        boolean sweepDone = ctx.config().extend().sweep().isEmpty()
            || AtomicOutput.isComplete(run.layout().extensionSweepResults(base, newSource), run.hadoop());
        if (resume && sweepDone && AtomicOutput.isComplete(run.layout().extensionResults(base, newSource), run.hadoop())) {
          System.out.printf("study: seed %d, extension: kept from the interrupted run (--resume)%n", seed);
        } else {
          run.describe("study extend seed " + seed);
          new ExtendStage(null, null, true).run(run);
          run.writeEffectiveConfig("extend");
        }
      }
    }
    new StudyResults(ctx).write(completed, extend ? base : null, newSource, sources, (System.nanoTime() - studyStart) / 1e9);
  }

  /** The main arm of {@code extend.base_variant} (not one of SCONE's arms of the same variant). */
  static boolean extensionBase(StudyArm arm, String base) {
    return arm.variant().name().equals(base) && arm.temperature() == null && arm.knob().equals(StudyArm.MAIN);
  }

  /** SCONE's inference path on a {@code +SCONE} arm: its f-gram model precomputed into Parquet tables, validation scored through them. */
  private static void scoreThroughLookupTables(StageContext run, StudyArm arm) {
    new SconePrecomputeStage().run(run);
    String v = arm.variant().name();
    SconeLookupEvaluation.run(run, List.of(new Comparison.VariantRun(v, run.layout().trainModel(v), run.layout().trainMetrics(v),
        run.layout().trainValidation(v), run.layout().trainTimings(v))));
  }

  private static StageContext armContext(StageContext ctx, StudyArm arm, long seed, int perRound) {
    List<String> overrides = arm.overrides(seed, ctx.layout().studyRun(seed, arm.name()), ctx.layout().data(), ctx.config().run().name(),
        ctx.config().train().localSteps(), perRound, ctx.config().train().optim().batchSize(), ctx.config().study().extendMethods());
    return ctx.derive(overrides);
  }
}
