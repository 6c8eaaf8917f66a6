package dept.prep.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads and writes HF tokenizers' {@code tokenizer.json}: added tokens for the specials, no
 * normalizer, pre-tokenizer {@code Sequence[Split(pattern, Isolated), ByteLevel(use_regex=false)]},
 * a BPE model with vocab and merges ("a b" strings), and a ByteLevel decoder. Output is
 * byte-identical for the same tokenizer.
 */
public final class TokenizerJson {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private TokenizerJson() {}

  public static String write(BpeTokenizer tokenizer) {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (int id = 0; id < SpecialTokens.ALL.size(); id++) {
      added.addObject()
          .put("id", id)
          .put("content", SpecialTokens.ALL.get(id))
          .put("single_word", false)
          .put("lstrip", false)
          .put("rstrip", false)
          .put("normalized", false)
          .put("special", true);
    }
    root.putNull("normalizer");
    ObjectNode pre = root.putObject("pre_tokenizer");
    pre.put("type", "Sequence");
    ArrayNode steps = pre.putArray("pretokenizers");
    ObjectNode split = steps.addObject();
    split.put("type", "Split");
    split.putObject("pattern").put("Regex", tokenizer.preTokenizer().pattern());
    split.put("behavior", "Isolated").put("invert", false);
    byteLevel(steps.addObject());
    root.putNull("post_processor");
    byteLevel(root.putObject("decoder"));

    BpeModel model = tokenizer.model();
    ObjectNode m = root.putObject("model");
    m.put("type", "BPE");
    m.putNull("dropout");
    m.putNull("unk_token");
    m.putNull("continuing_subword_prefix");
    m.putNull("end_of_word_suffix");
    m.put("fuse_unk", false).put("byte_fallback", false).put("ignore_merges", false);
    ObjectNode vocab = m.putObject("vocab");
    for (int id = 0; id < model.vocabSize(); id++) {
      vocab.put(symbol(model, id), id);
    }
    ArrayNode merges = m.putArray("merges");
    for (int[] merge : model.merges()) {
      merges.add(symbol(model, merge[0]) + " " + symbol(model, merge[1]));
    }
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void byteLevel(ObjectNode node) {
    node.put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true).put("use_regex", false);
  }

  /** The vocab key of a token: its text for specials, its byte-level symbols otherwise. */
  static String symbol(BpeModel model, int id) {
    return id < BpeModel.FIRST_BYTE_ID ? SpecialTokens.ALL.get(id) : ByteLevel.toSymbols(model.tokenBytes(id));
  }

  /** The vocab key of a special or byte token, from its id alone. */
  private static String baseSymbol(int baseId) {
    return baseId < BpeModel.FIRST_BYTE_ID
        ? SpecialTokens.ALL.get(baseId)
        : ByteLevel.toSymbols(new byte[] {(byte) (baseId - BpeModel.FIRST_BYTE_ID)});
  }

  /** Loads a tokenizer.json written by {@link #write}; anything else is refused with the reason. */
  public static BpeTokenizer read(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("tokenizer.json is not valid JSON: " + e.getOriginalMessage());
    }
    JsonNode model = root.path("model");
    if (!"BPE".equals(model.path("type").asText())) {
      throw new IllegalArgumentException("tokenizer.json: model.type must be BPE");
    }
    String pattern = root.path("pre_tokenizer").path("pretokenizers").path(0).path("pattern").path("Regex").asText(null);
    if (pattern == null) {
      throw new IllegalArgumentException("tokenizer.json: pre_tokenizer is not Sequence[Split(Regex), ByteLevel]");
    }
    Map<String, Integer> vocab = new HashMap<>();
    model.path("vocab").fields().forEachRemaining(e -> vocab.put(e.getKey(), e.getValue().asInt()));
    for (int id = 0; id < BpeModel.FIRST_MERGE_ID; id++) {
      String expected = baseSymbol(id);
      if (!Integer.valueOf(id).equals(vocab.get(expected))) {
        throw new IllegalArgumentException("tokenizer.json: id " + id + " must be '" + expected + "' (specials, then the 256 bytes in order)");
      }
    }
    JsonNode mergeList = model.path("merges");
    int[][] merges = new int[mergeList.size()][];
    for (int r = 0; r < merges.length; r++) {
      JsonNode entry = mergeList.get(r);
      String left;
      String right;
      if (entry.isArray()) {
        left = entry.get(0).asText();
        right = entry.get(1).asText();
      } else {
        String[] parts = entry.asText().split(" ", -1);
        if (parts.length != 2) {
          throw new IllegalArgumentException("tokenizer.json: merge " + r + " is not 'a b': " + entry);
        }
        left = parts[0];
        right = parts[1];
      }
      Integer l = vocab.get(left);
      Integer rt = vocab.get(right);
      Integer joined = vocab.get(left + right);
      if (l == null || rt == null || joined == null) {
        throw new IllegalArgumentException("tokenizer.json: merge " + r + " (" + entry + ") names a token not in the vocab");
      }
      merges[r] = new int[] {l, rt, joined};
    }
    BpeModel bpe;
    try {
      bpe = new BpeModel(merges);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("tokenizer.json: " + e.getMessage(), e);
    }
    if (vocab.size() != bpe.vocabSize()) {
      throw new IllegalArgumentException("tokenizer.json: " + vocab.size() + " vocab entries, but the merges make " + bpe.vocabSize());
    }
    return new BpeTokenizer(new PreTokenizer(pattern), bpe);
  }
}
