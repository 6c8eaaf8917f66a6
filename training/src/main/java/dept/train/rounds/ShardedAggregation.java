package dept.train.rounds;

import dept.train.federated.Aggregates;
import dept.train.federated.ClientUpdate;
import dept.train.local.AdamW;
import dept.train.params.NamedTensors;
import dept.train.params.ShardPlan;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * A round's updates averaged where they are: each task cuts what it sends up into the round's
 * {@link ShardPlan} shards, Spark groups the pieces by shard, and one reducer per shard averages
 * that shard's pieces, in (source, replica) order, with the same arithmetic as averaging whole
 * updates ({@link Aggregates#meanTrained}; moments uniformly). The driver receives the tasks'
 * reports and one mean of model size, never K updates: the round fits
 * {@code spark.driver.maxResultSize} whatever the number of sources, and no value is held in one
 * array larger than a shard.
 */
final class ShardedAggregation {

  private ShardedAggregation() {}

  /** What the driver gets back: reports of every task, the mean of the uploads and of the shared moments. */
  record Outcome(List<SourceTask.Result> results, NamedTensors meanTrained, AdamW.State meanMoments) {}

  enum Kind { REPORTS, UPLOAD, M, V }

  /** A reduce key; its hash is the same in every JVM (an enum's own hash is not), so a shard's pieces meet on one reducer on a cluster. */
  record Key(Kind kind, int shard) implements Serializable {
    @Override
    public int hashCode() {
      return shard * Kind.values().length + kind.ordinal();
    }
  }

  /** One task's piece of one shard (or its report). */
  record Piece(String source, int replica, long tokens, byte[] tensors, Map<String, int[]> rowIds,
      SourceTask.Result report) implements Serializable {}

  /** A reducer's output: a shard of a mean, or the reports. */
  record Reduced(Key key, byte[] tensors, List<SourceTask.Result> reports) implements Serializable {}

  /**
   * The reduce side of the round as an RDD (the caller collects it, with its timeout).
   *
   * @param body the broadcast body, by the same plan
   * @param embeddings the broadcast global input side (empty for SPEC): a reducer reads its
   *     shard's token rows where no update holds them (TRIM)
   */
  static JavaRDD<Reduced> reduce(JavaRDD<SourceTask.Trained> trained, ShardPlan plan, ShardedBroadcast body,
      ShardedBroadcast embeddings, boolean byTokens, int partitions) {
    return trained.flatMapToPair(t -> pieces(t, plan).iterator())
        .groupByKey(new HashPartitioner(partitions))
        .map(g -> reduceOne(g._1(), g._2(), plan, body, embeddings, byTokens));
  }

  /** How many reducers a round uses: one per shard (its moments and the reports ride along), at most {@code parallelism}. */
  static int partitions(ShardPlan plan, int parallelism) {
    return Math.max(1, Math.min(plan.size(), parallelism));
  }

  private static List<Tuple2<Key, Piece>> pieces(SourceTask.Trained t, ShardPlan plan) {
    List<Tuple2<Key, Piece>> out = new ArrayList<>();
    SourceTask.Result r = t.result();
    out.add(new Tuple2<>(new Key(Kind.REPORTS, 0), new Piece(r.source(), r.replica(), r.tokens(), null, Map.of(), r)));
    if (r.diverged()) {
      return out; // left out of the round; its report says why
    }
    for (int s = 0; s < plan.size(); s++) {
      ClientUpdate part = t.upload().shard(plan, s);
      if (!part.trained().names().isEmpty()) {
        out.add(new Tuple2<>(new Key(Kind.UPLOAD, s),
            new Piece(r.source(), r.replica(), r.tokens(), part.trained().toBytes(), part.rowIds(), null)));
      }
      if (t.moments() != null) {
        NamedTensors m = plan.cut(t.moments().m(), s);
        if (!m.names().isEmpty()) {
          out.add(new Tuple2<>(new Key(Kind.M, s), new Piece(r.source(), r.replica(), 1, m.toBytes(), Map.of(), null)));
          out.add(new Tuple2<>(new Key(Kind.V, s),
              new Piece(r.source(), r.replica(), 1, plan.cut(t.moments().v(), s).toBytes(), Map.of(), null)));
        }
      }
    }
    return out;
  }

  private static Reduced reduceOne(Key key, Iterable<Piece> group, ShardPlan plan, ShardedBroadcast body,
      ShardedBroadcast embeddings, boolean byTokens) {
    List<Piece> pieces = new ArrayList<>();
    group.forEach(pieces::add);
    // The order the driver averaged whole updates in: by source, then replica (sums in double are order-sensitive).
    pieces.sort(Comparator.comparing(Piece::source).thenComparingInt(Piece::replica));
    if (key.kind() == Kind.REPORTS) {
      return new Reduced(key, null, pieces.stream().map(Piece::report).toList());
    }
    if (key.kind() == Kind.UPLOAD) {
      List<ClientUpdate> updates = pieces.stream()
          .map(p -> new ClientUpdate(p.source(), NamedTensors.fromBytes(p.tensors()), p.tokens(), p.rowIds())).toList();
      NamedTensors global = body.shard(key.shard());
      NamedTensors input = embeddings.shard(key.shard());
      if (input != null) {
        global = global.with(input);
      }
      global = global.select(updates.get(0).trained().names()::contains);
      return new Reduced(key, Aggregates.meanTrained(global, updates, byTokens).toBytes(), null);
    }
    List<NamedTensors> moments = pieces.stream().map(p -> NamedTensors.fromBytes(p.tensors())).toList();
    return new Reduced(key, NamedTensors.weightedMean(moments, Collections.nCopies(moments.size(), 1.0)).toBytes(), null);
  }

  /** The driver's side: the reports, and the means joined from their shards (null where nothing came up). */
  static Outcome assemble(List<Reduced> reduced, ShardPlan plan) {
    List<SourceTask.Result> results = new ArrayList<>();
    Map<Kind, List<byte[]>> shards = new java.util.EnumMap<>(Kind.class);
    for (Reduced r : reduced) {
      if (r.key().kind() == Kind.REPORTS) {
        results.addAll(r.reports());
      } else {
        shards.computeIfAbsent(r.key().kind(), k -> new ArrayList<>(Collections.nCopies(plan.size(), null)))
            .set(r.key().shard(), r.tensors());
      }
    }
    results.sort(Comparator.comparing(SourceTask.Result::source).thenComparingInt(SourceTask.Result::replica));
    NamedTensors mean = shards.containsKey(Kind.UPLOAD) ? plan.fromBytes(shards.get(Kind.UPLOAD)) : null;
    AdamW.State moments = null;
    if (shards.containsKey(Kind.M)) {
      long steps = results.stream().filter(r -> !r.diverged()).mapToLong(SourceTask.Result::momentSteps).max().orElse(0);
      moments = new AdamW.State(plan.fromBytes(shards.get(Kind.M)), plan.fromBytes(shards.get(Kind.V)), steps);
    }
    return new Outcome(results, mean, moments);
  }
}
