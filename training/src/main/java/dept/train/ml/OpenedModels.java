package dept.train.ml;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The scoring units an executor JVM has opened, shared by its tasks and SQL calls: a model's unit is
 * opened once per executor (not per task or row) and stays open while idle, so the next partition
 * or query reuses it. Units of the {@value #MODELS_KEPT} most recently used models are kept; older
 * ones are closed once no task holds them.
 */
final class OpenedModels {

  static final int MODELS_KEPT = 2;

  private static final Map<Key, Entry> ENTRIES = new HashMap<>(); // guarded by itself
  private static final AtomicLong OPENINGS = new AtomicLong();
  private static long clock; // guarded by ENTRIES

  private OpenedModels() {}

  private record Key(String model, String tokenizer) {}

  private static final class Entry {
    ScoringUnit unit; // guarded by this entry
    int users; // guarded by ENTRIES
    long lastUse; // guarded by ENTRIES
  }

  /** A task's hold on an opened unit; closing it releases the hold, not the unit. */
  static final class Lease implements AutoCloseable {
    private final Entry entry;
    private boolean released;

    private Lease(Entry entry) {
      this.entry = entry;
    }

    ScoringUnit unit() {
      return entry.unit;
    }

    @Override
    public void close() {
      synchronized (ENTRIES) {
        if (!released) {
          released = true;
          entry.users--;
        }
      }
    }
  }

  /** {@code model}'s unit for {@code tokenizer}, opened on first use in this JVM. */
  static Lease lease(ScoringModel model, String tokenizer) {
    Entry entry;
    synchronized (ENTRIES) {
      entry = ENTRIES.computeIfAbsent(new Key(model.id(), tokenizer), k -> new Entry());
      entry.users++;
      entry.lastUse = ++clock;
    }
    Lease lease = new Lease(entry);
    try {
      synchronized (entry) {
        if (entry.unit == null) {
          entry.unit = new ScoringUnit(tokenizer, model);
          OPENINGS.incrementAndGet();
        }
      }
    } catch (RuntimeException e) {
      lease.close();
      throw e;
    }
    closeIdleOldModels();
    return lease;
  }

  /** How many units this JVM has opened so far (tests check that tasks share them). */
  static long openings() {
    return OPENINGS.get();
  }

  /** How many models have units open in this JVM now. */
  static int modelsOpen() {
    synchronized (ENTRIES) {
      return (int) ENTRIES.keySet().stream().map(Key::model).distinct().count();
    }
  }

  private static void closeIdleOldModels() {
    List<ScoringUnit> closing = new ArrayList<>();
    synchronized (ENTRIES) {
      Map<String, Long> lastUseByModel = new HashMap<>();
      ENTRIES.forEach((k, e) -> lastUseByModel.merge(k.model(), e.lastUse, Math::max));
      if (lastUseByModel.size() <= MODELS_KEPT) {
        return;
      }
      TreeMap<Long, String> byRecency = new TreeMap<>(); // last use -> model
      lastUseByModel.forEach((m, t) -> byRecency.put(t, m));
      List<String> old = new ArrayList<>(byRecency.values()).subList(0, byRecency.size() - MODELS_KEPT);
      var it = ENTRIES.entrySet().iterator();
      while (it.hasNext()) {
        var e = it.next();
        if (old.contains(e.getKey().model()) && e.getValue().users == 0 && e.getValue().unit != null) {
          closing.add(e.getValue().unit);
          it.remove();
        }
      }
    }
    closing.forEach(ScoringUnit::close);
  }
}
