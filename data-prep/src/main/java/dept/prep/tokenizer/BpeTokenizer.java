package dept.prep.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A byte-level BPE tokenizer: special tokens, then {@link PreTokenizer} words, then {@link
 * BpeModel} merges per word, with a cache of encoded words. Encodes exactly as HF tokenizers does
 * with the same tokenizer.json ({@link TokenizerJson}). Not thread-safe: one per task or thread.
 */
public final class BpeTokenizer {

  private static final int CACHE_LIMIT = 200_000;

  private final PreTokenizer preTokenizer;
  private final BpeModel model;
  private final Map<String, int[]> cache = new HashMap<>();
  private final List<String> words = new ArrayList<>();

  public BpeTokenizer(PreTokenizer preTokenizer, BpeModel model) {
    this.preTokenizer = preTokenizer;
    this.model = model;
  }

  public PreTokenizer preTokenizer() {
    return preTokenizer;
  }

  public BpeModel model() {
    return model;
  }

  public int vocabSize() {
    return model.vocabSize();
  }

  /** Token ids of {@code text}; the literal text of a special token becomes its id. */
  public int[] encode(String text) {
    IntBuffer out = new IntBuffer(Math.max(16, text.length() / 3));
    int segment = 0;
    for (int i = text.indexOf("<|"); i >= 0; i = text.indexOf("<|", i + 1)) {
      int special = SpecialTokens.at(text, i);
      if (special >= 0) {
        encodeOrdinary(text.substring(segment, i), out);
        out.add(special);
        segment = i + SpecialTokens.ALL.get(special).length();
        i = segment - 1;
      }
    }
    encodeOrdinary(segment == 0 ? text : text.substring(segment), out);
    return out.toArray();
  }

  private void encodeOrdinary(String text, IntBuffer out) {
    if (text.isEmpty()) {
      return;
    }
    words.clear();
    preTokenizer.split(text, words);
    for (String w : words) {
      int[] ids = cache.get(w);
      if (ids == null) {
        ids = model.encodeWord(w.getBytes(StandardCharsets.UTF_8));
        if (cache.size() >= CACHE_LIMIT) {
          cache.clear();
        }
        cache.put(w, ids);
      }
      out.addAll(ids);
    }
  }

  /** The text of {@code ids}; invalid UTF-8 (a cut multi-byte character) becomes U+FFFD. */
  public String decode(int[] ids) {
    byte[] bytes = new byte[ids.length * 4];
    int n = 0;
    for (int id : ids) {
      byte[] t = model.tokenBytes(id);
      if (n + t.length > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, n + t.length));
      }
      System.arraycopy(t, 0, bytes, n, t.length);
      n += t.length;
    }
    return new String(bytes, 0, n, StandardCharsets.UTF_8);
  }

  /** A growable int array. */
  static final class IntBuffer {
    private int[] data;
    private int size;

    IntBuffer(int capacity) {
      data = new int[capacity];
    }

    void add(int v) {
      if (size == data.length) {
        data = Arrays.copyOf(data, size * 2);
      }
      data[size++] = v;
    }

    void addAll(int[] vs) {
      if (size + vs.length > data.length) {
        data = Arrays.copyOf(data, Math.max(data.length * 2, size + vs.length));
      }
      System.arraycopy(vs, 0, data, size, vs.length);
      size += vs.length;
    }

    int[] toArray() {
      return Arrays.copyOf(data, size);
    }
  }
}
