package dept.jobs.stages;

import dept.jobs.run.StageContext;
import dept.prep.io.HadoopFiles;
import dept.prep.io.InputPathException;
import dept.prep.tokenizer.BpeModel;
import dept.prep.tokenizer.TokenizerJson;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What training needs from the vocab stage's tokenizers: each one's size and the UTF-8 bytes behind every id. */
public record TokenizerTables(Map<String, Integer> vocabSizes, Map<String, int[]> tokenBytes) {

  public static TokenizerTables load(StageContext ctx, List<String> names) {
    Map<String, Integer> sizes = new TreeMap<>();
    Map<String, int[]> bytes = new TreeMap<>();
    for (String name : names) {
      String path = ctx.layout().tokenizerJson(name);
      BpeModel model;
      try {
        model = TokenizerJson.read(HadoopFiles.read(path, ctx.hadoop())).model();
      } catch (InputPathException e) {
        throw new InputPathException(path + " is missing: run `dept vocab` and `dept tokenize` on the same sources first");
      }
      sizes.put(name, model.vocabSize());
      int[] b = new int[model.vocabSize()];
      for (int id = BpeModel.FIRST_BYTE_ID; id < b.length; id++) {
        b[id] = model.tokenBytes(id).length;
      }
      bytes.put(name, b);
    }
    return new TokenizerTables(sizes, bytes);
  }
}
