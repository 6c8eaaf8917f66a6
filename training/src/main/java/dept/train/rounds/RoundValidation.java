package dept.train.rounds;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/** Per-source validation as Spark tasks: each source scored with the embeddings its sharing policy gives it. */
final class RoundValidation {

  private RoundValidation() {}

  static List<RunLog.ValidationRow> run(JavaSparkContext jsc, RoundSetup setup, Map<String, int[]> tokenBytes,
      JavaPairRDD<TaskKey, TreeMap<String, List<int[]>>> val, List<String> sources, int round, DriverState state,
      Broadcast<Map<String, List<int[]>>> fgrams) {
    Broadcast<byte[]> body = jsc.broadcast(state.body.toBytes());
    Broadcast<byte[]> embeddings = jsc.broadcast(state.embeddings == null ? RoundRunner.NONE : state.embeddings.toBytes());
    Map<String, SourceEvaluation> jobs = new TreeMap<>();
    for (String s : sources) {
      jobs.put(s, new SourceEvaluation(setup.side(s), round, tokenBytes.get(setup.tokenizerOf(s))));
    }
    try {
      List<RunLog.ValidationRow> rows = new ArrayList<>(val
          .map(t -> jobs.get(t._1().source()).run(t._2().firstEntry().getValue(), body.value(),
              RoundRunner.orNull(embeddings.value()), fgrams.value().get(t._1().source())))
          .collect());
      rows.sort(Comparator.comparing(RunLog.ValidationRow::source));
      return rows;
    } finally {
      body.destroy();
      embeddings.destroy();
    }
  }
}
