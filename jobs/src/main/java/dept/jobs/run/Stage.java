package dept.jobs.run;

/** One pipeline stage as the CLI runs it: validate inputs, then compute, write and report. */
public interface Stage {

  /** The sub-command name, e.g. {@code ingest}. */
  String name();

  /** Runs the stage; prints its summary to stdout and progress to the log. */
  void run(StageContext context);

  /** Whether the config this run used belongs next to the stage's outputs (false when the run kept earlier outputs). */
  default boolean wroteOutputs() {
    return true;
  }
}
