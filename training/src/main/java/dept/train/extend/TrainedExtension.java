package dept.train.extend;

import dept.train.model.DecoderLm;
import dept.train.model.Extensions;
import dept.train.params.NamedTensors;
import dept.train.params.Tensor;
import java.util.TreeMap;

/**
 * What one extension method trained, as {@code params/<method>.bin} holds it: the added
 * parameters ({@code ext.*}), the body when the method fine-tunes it ({@code body.*}), and the new
 * source's input rows when they train ({@code <tokenizer>/embed.*}). With the base model it is the
 * whole extended model.
 */
public record TrainedExtension(NamedTensors trained) {

  /** The adapters' or LoRA's parameters (none for fine-tuning). */
  public NamedTensors added() {
    return trained.select(n -> n.startsWith(Extensions.EXT));
  }

  /** The body after extension: the trained one, or the base's where the method froze it. */
  public NamedTensors body(NamedTensors base) {
    NamedTensors body = trained.select(n -> n.startsWith(DecoderLm.BODY));
    return body.names().isEmpty() ? base : body;
  }

  /** {@code tokenizer}'s input rows after extension: trained ones, or {@code start} where they did not train. */
  public NamedTensors embeddings(String tokenizer, NamedTensors start) {
    String prefix = tokenizer + "/";
    TreeMap<String, Tensor> rows = new TreeMap<>();
    trained.asMap().forEach((n, t) -> {
      if (n.startsWith(prefix)) {
        rows.put(n.substring(prefix.length()), t);
      }
    });
    return rows.isEmpty() ? start : new NamedTensors(rows);
  }
}
