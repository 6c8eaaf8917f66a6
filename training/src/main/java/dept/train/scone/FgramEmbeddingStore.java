package dept.train.scone;

import dept.prep.ngram.FgramMatcher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * SCONE's inference table: every f-gram's (and every single token's) precomputed input embedding
 * in host memory outside the Java heap and off the accelerator: a row-major float32 file mapped
 * read-only in segments of at most 1 GiB, plus a {@link FgramMatcher} over the f-gram keys (at most
 * max_n - 1 probes per position). The file is unlinked once mapped, so nothing is left behind.
 */
public final class FgramEmbeddingStore implements AutoCloseable {

  private static final long SEGMENT_BYTES = 1L << 30;

  private final int dim;
  private final int[] tokenRow;
  private final int[] fgramRow;
  private final FgramMatcher matcher;
  private final FloatBuffer[] segments;
  private final int rowsPerSegment;
  private final long rows;

  private FgramEmbeddingStore(int dim, int[] tokenRow, int[] fgramRow, FgramMatcher matcher, FloatBuffer[] segments,
      int rowsPerSegment, long rows) {
    this.dim = dim;
    this.tokenRow = tokenRow;
    this.fgramRow = fgramRow;
    this.matcher = matcher;
    this.segments = segments;
    this.rowsPerSegment = rowsPerSegment;
    this.rows = rows;
  }

  /** Collects rows (in any order) into the mapped file. */
  public static final class Builder implements AutoCloseable {
    private final int dim;
    private final Path file;
    private final FileChannel out;
    private final ByteBuffer buffer;
    private final List<int[]> fgrams = new ArrayList<>();
    private final List<Integer> fgramRows = new ArrayList<>();
    private int[] tokenRow = new int[0];
    private long rows;

    public Builder(int dim) {
      this.dim = dim;
      try {
        this.file = Files.createTempFile("scone-table-", ".f32");
        this.out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ);
      } catch (IOException e) {
        throw new UncheckedIOException("could not create the SCONE table's file", e);
      }
      this.buffer = ByteBuffer.allocateDirect(Math.max(dim * 4, 1 << 16)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** One row: a single token ({@code key.length == 1}) or an f-gram, with its input embedding. */
    public Builder add(int[] key, float[] embedding) {
      if (embedding.length != dim) {
        throw new IllegalArgumentException("embedding of " + Arrays.toString(key) + " has " + embedding.length + " values, expected " + dim);
      }
      if (key.length == 1) {
        int t = key[0];
        if (t >= tokenRow.length) {
          int old = tokenRow.length;
          tokenRow = Arrays.copyOf(tokenRow, Math.max(t + 1, old * 2));
          Arrays.fill(tokenRow, old, tokenRow.length, -1);
        }
        if (tokenRow[t] >= 0) {
          throw new IllegalArgumentException("token " + t + " appears twice in the table");
        }
        tokenRow[t] = Math.toIntExact(rows);
      } else {
        fgrams.add(key.clone());
        fgramRows.add(Math.toIntExact(rows));
      }
      try {
        if (buffer.remaining() < dim * 4) {
          drain();
        }
        for (float v : embedding) {
          buffer.putFloat(v);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("could not write the SCONE table's file " + file, e);
      }
      rows++;
      return this;
    }

    private void drain() throws IOException {
      buffer.flip();
      while (buffer.hasRemaining()) {
        out.write(buffer);
      }
      buffer.clear();
    }

    /** Maps the file and indexes the keys; every token id below the largest must have a row. */
    public FgramEmbeddingStore build() {
      int vocab = tokenRow.length;
      while (vocab > 0 && tokenRow[vocab - 1] < 0) {
        vocab--;
      }
      int[] tokens = Arrays.copyOf(tokenRow, vocab);
      for (int t = 0; t < vocab; t++) {
        if (tokens[t] < 0) {
          throw new IllegalArgumentException("the table has no row for token " + t + " (of " + vocab + ")");
        }
      }
      try {
        drain();
        int rowsPerSegment = (int) Math.max(1, SEGMENT_BYTES / (dim * 4L));
        int count = (int) ((rows + rowsPerSegment - 1) / rowsPerSegment);
        FloatBuffer[] segments = new FloatBuffer[count];
        for (int s = 0; s < count; s++) {
          long first = (long) s * rowsPerSegment;
          long n = Math.min(rowsPerSegment, rows - first);
          MappedByteBuffer m = out.map(FileChannel.MapMode.READ_ONLY, first * dim * 4, n * dim * 4);
          segments[s] = m.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        }
        int[] fr = fgramRows.stream().mapToInt(Integer::intValue).toArray();
        return new FgramEmbeddingStore(dim, tokens, fr, new FgramMatcher(fgrams), segments, rowsPerSegment, rows);
      } catch (IOException e) {
        throw new UncheckedIOException("could not map the SCONE table's file " + file, e);
      } finally {
        close();
      }
    }

    @Override
    public void close() {
      try {
        out.close();
        Files.deleteIfExists(file); // the mapping keeps the pages; nothing stays on disk
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  public int dim() {
    return dim;
  }

  public int vocabSize() {
    return tokenRow.length;
  }

  public int fgrams() {
    return fgramRow.length;
  }

  public long rows() {
    return rows;
  }

  public int maxN() {
    return matcher.maxN();
  }

  /** Host memory the table takes: the mapped rows plus the key index (ids, hashes, row numbers). */
  public long bytes() {
    long keys = 0;
    for (int id = 0; id < matcher.size(); id++) {
      keys += 4L * matcher.fgram(id).length + 8 + 2 * 4 // ids, offset + length
          + 2 * (8 + 4); // two hash slots per key: hash + id
    }
    return rows * dim * 4 + keys + 4L * (tokenRow.length + fgramRow.length);
  }

  /** The row that serves position {@code end} of {@code tokens}: its longest f-gram's, else the token's. */
  public int rowAt(int[] tokens, int end) {
    int id = matcher.longest(tokens, end);
    if (id != FgramMatcher.NONE) {
      return fgramRow[id];
    }
    int t = tokens[end];
    if (t < 0 || t >= tokenRow.length) {
      throw new IllegalArgumentException("token id " + t + " at position " + end + " is outside the table's vocabulary of " + tokenRow.length);
    }
    return tokenRow[t];
  }

  /** The row of an f-gram key (length >= 2) or of a single token; -1 if the table has none. */
  public int rowOf(int[] key) {
    if (key.length == 1) {
      return key[0] >= 0 && key[0] < tokenRow.length ? tokenRow[key[0]] : -1;
    }
    int id = matcher.longest(key, key.length - 1);
    return id != FgramMatcher.NONE && matcher.fgram(id).length == key.length ? fgramRow[id] : -1;
  }

  /** Copies row {@code row} into {@code out} at {@code offset}. */
  public void copyRow(long row, float[] out, int offset) {
    FloatBuffer seg = segments[(int) (row / rowsPerSegment)].duplicate();
    seg.position((int) (row % rowsPerSegment) * dim);
    seg.get(out, offset, dim);
  }

  /** Input embeddings (B x T x d, row-major) of a batch of token rows: one probe chain and one copy per position. */
  public float[] lookup(int[][] batch) {
    int cols = batch[0].length;
    float[] out = new float[batch.length * cols * dim];
    for (int b = 0; b < batch.length; b++) {
      for (int i = 0; i < cols; i++) {
        copyRow(rowAt(batch[b], i), out, (b * cols + i) * dim);
      }
    }
    return out;
  }

  @Override
  public void close() {
    // Mapped buffers are unmapped when collected; dropping the references is all Java allows.
    Arrays.fill(segments, null);
  }
}
