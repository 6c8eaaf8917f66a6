package dept.jobs;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import scala.jdk.javaapi.CollectionConverters;
import scala.tools.nsc.Settings;
import scala.tools.nsc.interpreter.IMain;
import scala.tools.nsc.interpreter.Results;
import scala.tools.nsc.interpreter.shell.ReplReporterImpl;

/**
 * Zeppelin's {@code %spark} interpreter as a test runs it: Scala 2.13's REPL (which Zeppelin's
 * Spark interpreter wraps) on the test's classpath, with the note's {@code spark} session and its
 * {@code z} context bound. A paragraph that does not compile or throws fails with the REPL's output.
 */
public final class ScalaParagraphs implements AutoCloseable {

  /** The part of Zeppelin's {@code z} that the notes use: a form's value ({@code z.input}). */
  public static final class NoteContext {
    private final java.util.Map<String, Object> forms;

    public NoteContext(java.util.Map<String, Object> forms) {
      this.forms = forms;
    }

    public Object input(String name, Object defaultValue) {
      return forms.getOrDefault(name, defaultValue);
    }
  }

  private final StringWriter output = new StringWriter();
  private final IMain repl;

  public ScalaParagraphs(SparkSession spark, NoteContext z) {
    Settings settings = new Settings();
    // Surefire starts tests from a manifest-only jar; the real classpath is in this property.
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    settings.processArguments(CollectionConverters.asScala(List.of("-classpath", classpath)).toList(), true);
    repl = new IMain(settings, new ReplReporterImpl(settings, new PrintWriter(output, true)));
    bind("spark", SparkSession.class.getName(), spark);
    bind("z", NoteContext.class.getName().replace('$', '.'), z);
  }

  private void bind(String name, String type, Object value) {
    Results.Result r = repl.bind(name, type, value, CollectionConverters.asScala(List.<String>of()).toList());
    if (r != Results.Success$.MODULE$) {
      throw new IllegalStateException("cannot bind " + name + ": " + output);
    }
  }

  /** Runs one paragraph's Scala (without its {@code %spark} line); returns what it printed. */
  public String run(String code) {
    output.getBuffer().setLength(0);
    Results.Result r = repl.interpret(code);
    if (r != Results.Success$.MODULE$) {
      throw new AssertionError("the %spark paragraph failed (" + r + "):\n" + code + "\n--- REPL output ---\n" + output);
    }
    return output.toString();
  }

  @Override
  public void close() {
    repl.close();
  }
}
