package dept.jobs.run;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress lines for long Spark jobs: tasks done of total, elapsed time and an ETA, at most one
 * line per {@code every} seconds per job; jobs shorter than that stay silent.
 */
final class SparkProgress extends SparkListener {

  private static final Logger LOG = LoggerFactory.getLogger("dept.progress");

  private final long everyNanos;
  private final Map<Integer, Job> jobs = new ConcurrentHashMap<>();
  private final Map<Integer, Integer> jobOfStage = new ConcurrentHashMap<>();

  private static final class Job {
    final String what;
    final int tasks;
    final long start = System.nanoTime();
    int done;
    long lastLog = System.nanoTime();

    Job(String what, int tasks) {
      this.what = what;
      this.tasks = tasks;
    }
  }

  SparkProgress(int everySeconds) {
    this.everyNanos = everySeconds * 1_000_000_000L;
  }

  @Override
  public void onJobStart(SparkListenerJobStart start) {
    int tasks = 0;
    for (StageInfo s : scala.jdk.javaapi.CollectionConverters.asJava(start.stageInfos())) {
      tasks += s.numTasks();
      jobOfStage.put(s.stageId(), start.jobId());
    }
    String what = start.properties() == null ? null : start.properties().getProperty("spark.job.description");
    jobs.put(start.jobId(), new Job(what == null ? "job " + start.jobId() : what, tasks));
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    Integer jobId = jobOfStage.get(end.stageId());
    Job job = jobId == null ? null : jobs.get(jobId);
    if (job == null) {
      return;
    }
    synchronized (job) {
      job.done++;
      long now = System.nanoTime();
      if (now - job.lastLog >= everyNanos && job.done < job.tasks) {
        job.lastLog = now;
        double secs = (now - job.start) / 1e9;
        double eta = secs / job.done * (job.tasks - job.done);
        LOG.info(String.format(java.util.Locale.ROOT, "%s: %d/%d tasks, %.0f s, ETA %.0f s", job.what, job.done, job.tasks, secs, eta));
      }
    }
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd end) {
    Job job = jobs.remove(end.jobId());
    jobOfStage.values().removeIf(j -> j == end.jobId());
    if (job != null && System.nanoTime() - job.start >= everyNanos) {
      LOG.info(String.format(java.util.Locale.ROOT, "%s: done, %d tasks in %.0f s", job.what, job.tasks, (System.nanoTime() - job.start) / 1e9));
    }
  }
}
