package dept.jobs.cli;

/** Where each dataset of a run lives under the configured output root (see DESIGN.md). */
public record OutputLayout(String root) {

  public OutputLayout {
    root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
  }

  public String documents() {
    return root + "/documents";
  }

  public String rejects() {
    return root + "/rejects";
  }

  public String sourceStats() {
    return root + "/source_stats";
  }

  public String effectiveConfig(String stage) {
    return root + "/config/" + stage + ".yaml";
  }
}
