package dept.jobs.cli;

import dept.jobs.config.ConfigException;
import dept.prep.io.InputPathException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code dept <stage> --config FILE [--set key=value ...]}: the one entry point of the pipeline. */
@Command(
    name = "dept",
    mixinStandardHelpOptions = true,
    versionProvider = DeptCli.Version.class,
    description = "DEPT pre-training pipeline on Apache Spark: one sub-command per stage.",
    subcommands = {
      IngestCommand.class, VocabCommand.class, TokenizeCommand.class, NgramsCommand.class, TrainCommand.class, SconePrecomputeCommand.class,
      SconeScalingCommand.class, ExtendCommand.class, EarlyExitCommand.class, EvaluateCommand.class, ReportCommand.class, PipelineCommand.class, StudyCommand.class, BenchCommand.class, CommandLine.HelpCommand.class
    })
public final class DeptCli implements Runnable {

  /** Exit code of a config, option or input-path error found before any work. */
  public static final int EXIT_CONFIG = 2;

  /** Exit code of a failure during the work. */
  public static final int EXIT_FAILURE = 1;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing stage: choose one of "
        + String.join(", ", spec.subcommands().keySet()));
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the CLI and returns its exit code (tests call this instead of main). */
  public static int execute(String... args) {
    return execute(new PrintWriter(System.err, true), args);
  }

  /** As {@link #execute(String...)}, with errors and usage messages written to {@code err}. */
  public static int execute(PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new DeptCli());
    cli.setErr(err);
    cli.setCaseInsensitiveEnumValuesAllowed(true); // e.g. --rtd-generator mlm, as config files spell it
    cli.setExecutionExceptionHandler(DeptCli::onError);
    return cli.execute(args);
  }

  /**
   * One line that says what went wrong; the stack trace only with DEPT_DEBUG=1. Only the checks that
   * run before the work (config, options, input paths) exit {@link #EXIT_CONFIG}, by their types;
   * anything else, an IllegalArgumentException from deep code included, or any error once a
   * command's earlier stage has finished, is a failure during the work.
   */
  private static int onError(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
    PrintWriter err = cli.getErr();
    boolean beforeWork = !(cli.getCommand() instanceof StageCommand c && c.workStarted());
    boolean config = beforeWork && (e instanceof ConfigException || e instanceof InputPathException);
    err.println("dept " + cli.getCommandName() + ": error: " + reason(e));
    if ("1".equals(System.getenv("DEPT_DEBUG"))) {
      e.printStackTrace(err);
    }
    err.flush();
    return config ? EXIT_CONFIG : EXIT_FAILURE;
  }

  private static String reason(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getMessage() == null) {
      root = root.getCause();
    }
    String msg = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    int nl = msg.indexOf('\n');
    return nl < 0 ? msg : msg.substring(0, nl);
  }

  /** The version of the jobs jar, Spark and Java. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String dept = DeptCli.class.getPackage().getImplementationVersion();
      return new String[] {
        "dept " + (dept == null ? "(development build)" : dept),
        "Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION() + ", Java " + System.getProperty("java.version")
      };
    }
  }
}
