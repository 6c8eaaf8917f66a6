package dept.prep.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * Learns byte-level BPE merges from a word-count table, the way HF tokenizers' BpeTrainer does:
 * count adjacent pairs once (with an index from pair to the words holding it), then repeatedly
 * merge the most frequent pair, updating only the counts of the words it touches. A priority queue
 * holds candidate pairs; an entry whose count went stale is re-queued with its current count. Ties
 * break by the smaller (left, right) ids, so training is deterministic.
 */
public final class BpeTrainer {

  /** A trained model with the count of every token (at its creation, for merged tokens). */
  public record Result(BpeModel model, long[] tokenCounts) {}

  private final int vocabSize;
  private final long minPairCount;

  public BpeTrainer(int vocabSize, long minPairCount) {
    if (vocabSize < BpeModel.FIRST_MERGE_ID) {
      throw new IllegalArgumentException("vocab_size must be >= " + BpeModel.FIRST_MERGE_ID + " (3 specials + 256 bytes), got " + vocabSize);
    }
    if (minPairCount < 1) {
      throw new IllegalArgumentException("min_pair_count must be >= 1, got " + minPairCount);
    }
    this.vocabSize = vocabSize;
    this.minPairCount = minPairCount;
  }

  private record Candidate(long count, long pair) implements Comparable<Candidate> {
    @Override
    public int compareTo(Candidate o) {
      int c = Long.compare(o.count, count);
      return c != 0 ? c : Long.compare(pair, o.pair);
    }
  }

  /** Trains on {@code wordCounts} (pre-tokenized words and how often each occurs). */
  public Result fit(Map<String, Long> wordCounts) {
    // Step 1: words as byte-id sequences, in sorted order so that nothing depends on map order.
    TreeMap<String, Long> sorted = new TreeMap<>(wordCounts);
    int n = sorted.size();
    int[][] words = new int[n][];
    int[] lengths = new int[n];
    long[] counts = new long[n];
    List<long[]> tokenCounts = new ArrayList<>();
    for (int t = 0; t < BpeModel.FIRST_MERGE_ID; t++) {
      tokenCounts.add(new long[] {0});
    }
    int w = 0;
    for (Map.Entry<String, Long> e : sorted.entrySet()) {
      byte[] bytes = e.getKey().getBytes(StandardCharsets.UTF_8);
      words[w] = new int[bytes.length];
      for (int i = 0; i < bytes.length; i++) {
        words[w][i] = BpeModel.FIRST_BYTE_ID + (bytes[i] & 0xFF);
        tokenCounts.get(words[w][i])[0] += e.getValue();
      }
      lengths[w] = bytes.length;
      counts[w] = e.getValue();
      w++;
    }

    // Step 2: count every adjacent pair, and index which words hold it.
    PairCounts pairs = new PairCounts();
    for (w = 0; w < n; w++) {
      for (int i = 0; i + 1 < lengths[w]; i++) {
        pairs.add(words[w][i], words[w][i + 1], counts[w], w);
      }
    }
    pairs.drainIncreased();
    PriorityQueue<Candidate> queue = new PriorityQueue<>();
    pairs.counts.forEach((pair, c) -> queue.add(new Candidate(c[0], pair)));

    // Step 3: merge the most frequent pair until the vocabulary is full or no pair is frequent.
    List<int[]> merges = new ArrayList<>();
    Map<String, Integer> idOfBytes = new HashMap<>();
    List<byte[]> tokenBytes = new ArrayList<>();
    for (int t = 0; t < BpeModel.FIRST_MERGE_ID; t++) {
      tokenBytes.add(t < BpeModel.FIRST_BYTE_ID ? new byte[0] : new byte[] {(byte) (t - BpeModel.FIRST_BYTE_ID)});
      if (t >= BpeModel.FIRST_BYTE_ID) {
        idOfBytes.put(ByteLevel.toSymbols(tokenBytes.get(t)), t);
      }
    }
    int[] seen = new int[n];
    Arrays.fill(seen, -1);
    while (tokenBytes.size() < vocabSize && !queue.isEmpty()) {
      Candidate top = queue.poll();
      long current = pairs.count(top.pair);
      if (current != top.count) {
        if (current > 0) {
          queue.add(new Candidate(current, top.pair));
        }
        continue;
      }
      if (current < minPairCount) {
        break;
      }
      int left = (int) (top.pair >>> 32);
      int right = (int) top.pair;
      byte[] joined = concat(tokenBytes.get(left), tokenBytes.get(right));
      String key = ByteLevel.toSymbols(joined);
      Integer existing = idOfBytes.get(key);
      int result = existing != null ? existing : tokenBytes.size();
      if (existing == null) {
        tokenBytes.add(joined);
        idOfBytes.put(key, result);
        tokenCounts.add(new long[] {0});
      }
      tokenCounts.get(result)[0] += current;
      merges.add(new int[] {left, right, result});

      // Step 4: rewrite the words that hold the pair, adjusting neighbouring pair counts.
      int mergeIndex = merges.size() - 1;
      for (int word : pairs.words(top.pair)) {
        if (seen[word] == mergeIndex) {
          continue;
        }
        seen[word] = mergeIndex;
        lengths[word] = mergeInWord(words[word], lengths[word], left, right, result, counts[word], word, pairs);
      }
      for (long changed : pairs.drainIncreased()) {
        queue.add(new Candidate(pairs.count(changed), changed));
      }
    }
    long[] countsOut = tokenCounts.stream().mapToLong(c -> c[0]).toArray();
    return new Result(new BpeModel(merges.toArray(new int[0][])), countsOut);
  }

  private static int mergeInWord(
      int[] s, int n, int a, int b, int c, long count, int word, PairCounts pairs) {
    int k = 0;
    int r = 0;
    while (r < n) {
      if (r + 1 < n && s[r] == a && s[r + 1] == b) {
        if (k > 0) {
          pairs.add(s[k - 1], a, -count, -1);
          pairs.add(s[k - 1], c, count, word);
        }
        pairs.add(a, b, -count, -1);
        if (r + 2 < n) {
          pairs.add(b, s[r + 2], -count, -1);
          pairs.add(c, s[r + 2], count, word);
        }
        s[k++] = c;
        r += 2;
      } else {
        s[k++] = s[r++];
      }
    }
    return k;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Pair -> count, pair -> words holding it, and the pairs whose count rose since the last drain. */
  private static final class PairCounts {
    final HashMap<Long, long[]> counts = new HashMap<>();
    final HashMap<Long, IntList> where = new HashMap<>();
    final java.util.LinkedHashSet<Long> increased = new java.util.LinkedHashSet<>();

    void add(int left, int right, long delta, int word) {
      long key = PairRanks.key(left, right);
      counts.computeIfAbsent(key, k -> new long[1])[0] += delta;
      if (delta > 0) {
        where.computeIfAbsent(key, k -> new IntList()).add(word);
        increased.add(key);
      }
    }

    long count(long pair) {
      long[] c = counts.get(pair);
      return c == null ? 0 : c[0];
    }

    int[] words(long pair) {
      IntList l = where.remove(pair);
      return l == null ? new int[0] : l.toArray();
    }

    List<Long> drainIncreased() {
      List<Long> out = new ArrayList<>(increased);
      increased.clear();
      return out;
    }
  }

  private static final class IntList {
    int[] data = new int[4];
    int size;

    void add(int v) {
      if (size > 0 && data[size - 1] == v) {
        return; // the same word twice in a row: one entry is enough
      }
      if (size == data.length) {
        data = Arrays.copyOf(data, size * 2);
      }
      data[size++] = v;
    }

    int[] toArray() {
      return Arrays.copyOf(data, size);
    }
  }
}
