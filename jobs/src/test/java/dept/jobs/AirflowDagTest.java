package dept.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dept.jobs.cli.DeptCli;
import dept.jobs.config.ConfigLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The Airflow DAG compiles with python3, and every task's application_args (templates filled in)
 * is a dept command line that the CLI's own parser and config loader accept, in stage order.
 */
class AirflowDagTest {

  private static final Path DAG = Path.of("airflow/dept_pipeline.py");

  /** Reads the DAG's stage list and application_args with python's ast (Airflow is not needed). */
  private static final String EXTRACT = String.join("\n",
      "import ast, json, sys",
      "src = open(sys.argv[1]).read()",
      "compile(src, sys.argv[1], 'exec')",
      "tree = ast.parse(src)",
      "stages = None; args = None; extra = {}",
      "for node in ast.walk(tree):",
      "    if isinstance(node, ast.Assign) and getattr(node.targets[0], 'id', None) == 'STAGES':",
      "        stages = ast.literal_eval(node.value)",
      "    if isinstance(node, ast.Assign) and getattr(node.targets[0], 'id', None) == 'EXTRA_ARGS':",
      "        extra = ast.literal_eval(node.value)",
      "    if isinstance(node, ast.keyword) and node.arg == 'application_args':",
      "        value = node.value.left if isinstance(node.value, ast.BinOp) else node.value",
      "        args = [e.id if isinstance(e, ast.Name) else ast.literal_eval(e) for e in value.elts]",
      "print(json.dumps({'stages': stages, 'args': args, 'extra': extra}))");

  private static JsonNode extract() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("python3", "-c", EXTRACT, DAG.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), "python3 could not compile or read the DAG: " + out);
    return new ObjectMapper().readTree(out);
  }

  @Test
  void everyTaskIsAValidDeptCommandLineInStageOrder() throws Exception {
    JsonNode dag = extract();
    List<String> stages = new ArrayList<>();
    dag.get("stages").forEach(s -> stages.add(s.asText()));
    assertEquals(List.of(dept.jobs.cli.PipelineCommand.ORDER.split(", ")), stages, "the pipeline's order");

    for (String stage : stages) {
      List<String> args = new ArrayList<>();
      for (JsonNode a : dag.get("args")) {
        String v = a.asText().equals("stage") ? stage : a.asText();
        // Fill the Jinja templates as Airflow would for a manual run.
        v = v.replace("{{ params.config }}", "../conf/cluster-gpu.yaml")
            .replace("{{ var.value.dept_output_root }}", "s3a://bucket/dept")
            .replace("{{ run_id }}", "manual__2026-11-27T00:00:00");
        assertTrue(!v.contains("{{"), "unfilled template in " + v);
        args.add(v);
      }
      dag.path("extra").path(stage).forEach(a -> args.add(a.asText()));
      CommandLine cli = new CommandLine(new DeptCli());
      CommandLine.ParseResult parsed = cli.parseArgs(args.toArray(new String[0]));
      assertEquals(stage, parsed.subcommand().commandSpec().name());
      List<String> overrides = parsed.subcommand().matchedOptionValue("--set", List.of());
      Path config = parsed.subcommand().matchedOptionValue("--config", null);
      var loaded = new ConfigLoader().load(config, overrides);
      assertEquals("s3a://bucket/dept/manual__2026-11-27T00:00:00", loaded.run().output());
      if (stage.equals("train")) {
        assertTrue(args.contains("--resume"), "a retried train task resumes: " + args);
        assertEquals(Boolean.TRUE, parsed.subcommand().matchedOptionValue("--resume", false));
      }
    }
  }
}
