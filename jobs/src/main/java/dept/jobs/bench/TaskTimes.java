package dept.jobs.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Task durations per Spark stage while a job runs, and what they allow: however many cores run a
 * stage, it lasts at least its longest task and at least its total task time over the cores. The
 * ratio of a job's total task time to the sum of those floors is the speed-up over one core that
 * its task sizes permit ({@link #ceiling}); a skewed stage shows as a low ceiling.
 */
final class TaskTimes extends SparkListener {

  /**
   * @param ceiling the speed-up over one core the task sizes allow
   * @param taskSeconds the job's task time, all tasks together (compared across masters, it shows
   *     tasks slowing each other down: shared memory bandwidth, caches, garbage collection)
   * @param stage the Spark stage whose longest task is the longest of all
   * @param largestShare that task's share of its stage's task time
   */
  record Skew(double ceiling, double taskSeconds, String stage, double largestShare) {}

  private final Map<Integer, List<Long>> millisByStage = new ConcurrentHashMap<>();
  private final Map<Integer, String> names = new ConcurrentHashMap<>();

  static TaskTimes listenTo(SparkContext sc) {
    TaskTimes times = new TaskTimes();
    sc.addSparkListener(times);
    return times;
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    millisByStage.computeIfAbsent(end.stageId(), s -> java.util.Collections.synchronizedList(new ArrayList<>()))
        .add(end.taskInfo().duration());
  }

  @Override
  public void onStageSubmitted(org.apache.spark.scheduler.SparkListenerStageSubmitted submitted) {
    names.put(submitted.stageInfo().stageId(), submitted.stageInfo().name());
  }

  /** Forgets what was recorded, once the events of earlier jobs are delivered. */
  void reset(SparkContext sc) {
    drain(sc);
    millisByStage.clear();
  }

  /** The skew of the stages run since {@link #reset}, on {@code cores} cores. */
  Skew skew(SparkContext sc, int cores) {
    drain(sc);
    double total = 0;
    double floors = 0;
    String worst = "-";
    double worstShare = 0;
    long worstMillis = -1;
    for (Map.Entry<Integer, List<Long>> e : millisByStage.entrySet()) {
      List<Long> tasks = List.copyOf(e.getValue());
      long sum = tasks.stream().mapToLong(Long::longValue).sum();
      long max = tasks.stream().mapToLong(Long::longValue).max().orElse(0);
      total += sum;
      floors += Math.max(max, sum / (double) cores);
      if (max > worstMillis) {
        worstMillis = max;
        worst = names.getOrDefault(e.getKey(), "stage " + e.getKey()).replaceFirst(" at .*", "");
        worstShare = sum == 0 ? 0 : max / (double) sum;
      }
    }
    return new Skew(floors == 0 ? 1 : total / floors, total / 1000, worst, worstShare);
  }

  /** Task-end events travel on Spark's listener bus, after the job that ran the task returns. */
  private static void drain(SparkContext sc) {
    try {
      sc.listenerBus().waitUntilEmpty(60_000);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Spark's listener bus did not deliver the job's task events within 60 s", e);
    }
  }
}
