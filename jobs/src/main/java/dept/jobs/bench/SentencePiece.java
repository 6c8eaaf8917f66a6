package dept.jobs.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The SentencePiece peer: {@code spm_train --model_type=bpe} and {@code spm_encode} from the
 * Debian package {@code sentencepiece}, run as processes on the same text. Identity normalisation
 * and byte fallback, so it sees the bytes we see; one thread, like our trainer.
 */
final class SentencePiece {

  record Result(double trainSeconds, double bytesPerToken) {}

  private SentencePiece() {}

  /** Null when spm_train is not on the PATH. */
  static Result trainAndMeasure(List<String> train, List<String> heldOut, int vocabSize, Path work)
      throws IOException, InterruptedException {
    if (!onPath("spm_train")) {
      return null;
    }
    Path trainFile = work.resolve("spm-train.txt");
    Files.write(trainFile, lines(train), StandardCharsets.UTF_8);
    Path prefix = work.resolve("spm");
    long t0 = System.nanoTime();
    run(List.of("spm_train", "--input=" + trainFile, "--model_prefix=" + prefix, "--vocab_size=" + vocabSize,
        "--model_type=bpe", "--character_coverage=1.0", "--byte_fallback=true", "--normalization_rule_name=identity",
        "--remove_extra_whitespaces=false", "--split_digits=false", "--input_sentence_size=0",
        "--max_sentence_length=1000000", "--num_threads=1", "--minloglevel=2"), null);
    double seconds = (System.nanoTime() - t0) / 1e9;
    Path heldFile = work.resolve("spm-heldout.txt");
    List<String> held = lines(heldOut);
    Files.write(heldFile, held, StandardCharsets.UTF_8);
    Path ids = work.resolve("spm-ids.txt");
    run(List.of("spm_encode", "--model=" + prefix + ".model", "--output_format=id", "--input=" + heldFile), ids);
    long tokens = 0;
    for (String line : Files.readAllLines(ids)) {
      tokens += line.isBlank() ? 0 : line.trim().split(" ").length;
    }
    long bytes = 0;
    for (String l : held) {
      bytes += l.getBytes(StandardCharsets.UTF_8).length;
    }
    return new Result(seconds, bytes / (double) tokens);
  }

  /** SentencePiece reads one sentence per line: documents' lines, blank ones dropped. */
  static List<String> lines(List<String> docs) {
    return docs.stream().flatMap(d -> d.lines()).filter(l -> !l.isBlank()).toList();
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  private static void run(List<String> command, Path stdout) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(stdout == null);
    if (stdout != null) {
      pb.redirectOutput(stdout.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
    } else {
      pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    }
    Process p = pb.start();
    if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IOException(command.get(0) + " failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + ")");
    }
  }
}
