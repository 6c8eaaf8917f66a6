package dept.train.scoring;

import static org.apache.spark.sql.functions.col;

import dept.prep.pack.TokenArrays;
import dept.prep.tokenizer.SpecialTokens;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Which validation text a run scores per source. With {@code bytes > 0}: the source's first
 * validation documents (doc_id order) while their UTF-8 bytes stay within {@code bytes} (at least
 * one), each scored in full. The same documents under every tokenizer, so runs whose tokenizers
 * differ are scored on the same text and the same bytes. With {@code bytes = 0}: the first
 * {@code blocks} validation blocks by block id (0 = all), whose text ends earlier under a tokenizer
 * that spends more tokens per byte.
 *
 * <p>Documents are cut back out of the packed blocks (every document is followed by
 * {@code <|eos|>}) and re-packed as windows of the blocks' length that overlap by one token: the
 * stream {@code <|eos|> doc1 <|eos|> doc2 <|eos|> ...} makes every token of every chosen document a
 * target exactly once, the first one predicted from the end-of-document token the model sees
 * between documents in training.
 */
public record ValidationSample(int blocks, long bytes) implements Serializable {

  public ValidationSample {
    if (blocks < 0 || bytes < 0) {
      throw new IllegalArgumentException("validation sample: eval_blocks and eval_bytes must be >= 0, got " + blocks + ", " + bytes);
    }
  }

  public boolean wholeDocuments() {
    return bytes > 0;
  }

  /**
   * @param unitBlocks rows of (unit, block_id, tokens): each unit's validation blocks as tokenize packed them
   * @param tokenBytesByUnit UTF-8 bytes of each token id of the tokenizer each unit is read with
   * @return (unit, block_id, tokens, index): the blocks to score, numbered from 0 per unit
   */
  public Dataset<Row> select(Dataset<Row> unitBlocks, Map<String, int[]> tokenBytesByUnit) {
    if (!wholeDocuments()) {
      return ScoringBlocks.firstPerUnit(unitBlocks, blocks);
    }
    long cap = bytes;
    Map<String, int[]> tokenBytes = Map.copyOf(tokenBytesByUnit);
    // One pass over each unit's blocks in id order; a unit stops being read once its documents are chosen.
    Dataset<Row> windows = unitBlocks.select("unit", "block_id", "tokens")
        .repartition(col("unit"))
        .sortWithinPartitions("unit", "block_id")
        .mapPartitions((MapPartitionsFunction<Row, Row>) rows -> windows(rows, cap, tokenBytes), Encoders.row(ScoringBlocks.SCHEMA));
    return ScoringBlocks.firstPerUnit(windows, 0);
  }

  private static Iterator<Row> windows(Iterator<Row> rows, long cap, Map<String, int[]> tokenBytes) {
    List<Row> out = new ArrayList<>();
    Cutter cutter = null;
    while (rows.hasNext()) {
      Row r = rows.next();
      String unit = r.getString(0);
      if (cutter == null || !cutter.unit.equals(unit)) {
        if (cutter != null) {
          cutter.finish(out);
        }
        int[] bytesOf = tokenBytes.get(unit);
        if (bytesOf == null) {
          throw new IllegalArgumentException("validation sample: no token bytes for unit '" + unit + "'");
        }
        cutter = new Cutter(unit, bytesOf, cap, r.getList(2).size());
      }
      cutter.add(TokenArrays.ints(r.getList(2)));
    }
    if (cutter != null) {
      cutter.finish(out);
    }
    return out.iterator();
  }

  /**
   * One unit's stream: collects whole documents until the next would pass the byte cap, then cuts
   * the windows. Holds at most the chosen documents (about {@code cap} tokens) and one document.
   */
  static final class Cutter {
    private final String unit;
    private final int[] tokenBytes;
    private final long cap;
    private final int windowLength;
    private final List<Integer> stream = new ArrayList<>();
    private final List<Integer> document = new ArrayList<>();
    private long documentBytes;
    private long chosenBytes;
    private int chosen;
    private boolean full;

    Cutter(String unit, int[] tokenBytes, long cap, int windowLength) {
      this.unit = unit;
      this.tokenBytes = tokenBytes;
      this.cap = cap;
      this.windowLength = windowLength;
      stream.add(SpecialTokens.EOS_ID);
    }

    void add(int[] block) {
      for (int t : block) {
        if (full) {
          return;
        }
        if (t == SpecialTokens.PAD_ID) {
          continue; // the split's last block is padded after its last document
        }
        document.add(t);
        if (t == SpecialTokens.EOS_ID) {
          endDocument();
        } else {
          documentBytes += tokenBytes[t];
        }
      }
    }

    private void endDocument() {
      if (chosen > 0 && chosenBytes + documentBytes > cap) {
        full = true;
        return;
      }
      stream.addAll(document);
      chosenBytes += documentBytes;
      chosen++;
      document.clear();
      documentBytes = 0;
    }

    /** The windows: tokens [k L, k L + L] of the stream (L + 1 each), the last padded. */
    void finish(List<Row> out) {
      int len = windowLength - 1;
      long id = 0;
      for (int from = 0; from < stream.size() - 1; from += len) {
        int[] w = new int[windowLength];
        for (int i = 0; i < windowLength; i++) {
          w[i] = from + i < stream.size() ? stream.get(from + i) : SpecialTokens.PAD_ID;
        }
        out.add(RowFactory.create(unit, id++, TokenArrays.boxed(w)));
      }
    }
  }
}
