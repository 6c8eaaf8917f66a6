package dept.prep.pack;

import dept.prep.tokenizer.SpecialTokens;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Packs one partition's contiguous run of each (tokenizer, source, split) group's documents, in
 * doc_id order, into the very blocks {@link BlockPacker} would cut from the whole group: a group's
 * token stream (each document followed by {@code <|eos|>}) is cut every {@code seqLen + 1}
 * tokens, so a document's place in the stream fixes its blocks. Knowing where its run starts in
 * the group's stream ({@link #startOffsets}), a partition emits the blocks that lie wholly in its
 * run; the at most two blocks it shares with the neighbouring runs come out as fragments (a start
 * position in the block and the tokens from there), which {@link #assemble} joins, padding the
 * group's last block as {@link BlockPacker#finish} does.
 */
final class RangePacker {

  /** Output rows: {@code start} is -1 for a whole block, else where in its block a fragment starts. */
  static final int WHOLE = -1;

  /** A group's key in the offset tables. */
  static String group(String tokenizer, String source, String split) {
    return tokenizer + '\u0000' + source + '\u0000' + split;
  }

  /** The key of a group's run in one partition. */
  static String run(int partition, String group) {
    return partition + "\u0001" + group;
  }

  /** Stream positions: where each partition's run of a group starts, and each group's length. */
  record Offsets(Map<String, Long> startOffsets, Map<String, Long> groupLengths) implements Serializable {}

  private final int blockLen;
  private final Offsets offsets;
  private final int partition;
  private final boolean wholeBlocks;
  private String[] group;
  private long position;
  private int[] buffer;
  private int filled;
  private int bufferStart;

  /**
   * @param wholeBlocks true to emit the whole blocks of the run, false for its fragments only
   */
  RangePacker(int seqLen, Offsets offsets, int partition, boolean wholeBlocks) {
    this.blockLen = seqLen + 1;
    this.offsets = offsets;
    this.partition = partition;
    this.wholeBlocks = wholeBlocks;
  }

  /** One encoded row (tokenizer, source, split, doc_id, tokens, ...), in (group, doc_id) order. */
  List<Row> accept(Row r) {
    List<Row> out = new ArrayList<>();
    String[] key = {r.getString(0), r.getString(1), r.getString(2)};
    if (!Arrays.equals(group, key)) {
      out.addAll(finish());
      group = key;
      Long start = offsets.startOffsets().get(run(partition, group(key[0], key[1], key[2])));
      if (start == null) {
        throw new IllegalStateException("no stream offset for partition " + partition + " of " + String.join("/", key));
      }
      position = start;
      filled = 0;
    }
    for (int t : TokenArrays.ints(r.getList(4))) {
      push(t, out);
    }
    push(SpecialTokens.EOS_ID, out);
    return out;
  }

  /** The fragment of the block the run ends in, if the run ends inside a block. */
  List<Row> finish() {
    List<Row> out = new ArrayList<>();
    if (filled > 0) {
      emit(out);
    }
    return out;
  }

  private void push(int token, List<Row> out) {
    if (filled == 0) {
      bufferStart = (int) (position % blockLen);
      if (buffer == null) {
        buffer = new int[blockLen]; // reused: rows take a boxed copy
      }
    }
    buffer[filled++] = token;
    position++;
    if (position % blockLen == 0) {
      emit(out);
    }
  }

  private void emit(List<Row> out) {
    boolean whole = bufferStart == 0 && filled == blockLen;
    long blockId = (position - 1) / blockLen;
    if (whole == wholeBlocks) {
      int[] tokens = whole ? buffer : Arrays.copyOf(buffer, filled);
      out.add(RowFactory.create(group[0], group[1], group[2], blockId, TokenArrays.boxed(tokens), whole ? WHOLE : bufferStart));
    }
    filled = 0;
  }

  /**
   * One block from its fragments (any order): they must tile it from position 0 without a gap;
   * only the group's last block may end short, and is padded with {@code <|pad|>}.
   */
  static int[] assemble(String group, long blockId, List<Integer> starts, List<int[]> parts, int seqLen, Map<String, Long> groupLengths) {
    int blockLen = seqLen + 1;
    Integer[] order = new Integer[starts.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Integer.compare(starts.get(a), starts.get(b)));
    int[] block = new int[blockLen];
    int filled = 0;
    for (int i : order) {
      if (starts.get(i) != filled) {
        throw new IllegalStateException("block " + blockId + " of " + group.replace('\u0000', '/') + ": a fragment starts at "
            + starts.get(i) + ", expected " + filled);
      }
      System.arraycopy(parts.get(i), 0, block, filled, parts.get(i).length);
      filled += parts.get(i).length;
    }
    if (filled < blockLen) {
      long last = (groupLengths.get(group) - 1) / blockLen;
      if (blockId != last) {
        throw new IllegalStateException("block " + blockId + " of " + group.replace('\u0000', '/') + " has " + filled
            + " of " + blockLen + " tokens but is not the group's last (" + last + ")");
      }
      Arrays.fill(block, filled, blockLen, SpecialTokens.PAD_ID);
    }
    return block;
  }
}
