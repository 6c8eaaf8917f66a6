package dept.prep.pack;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A partition's output produced lazily: each input expands to a few outputs, and {@code atEnd}
 * supplies the last ones (and releases resources) once the input is exhausted, so a task never
 * holds its whole partition in memory.
 */
final class StreamingRows<I, O> implements Iterator<O> {

  private final Iterator<I> input;
  private final Function<I, List<O>> expand;
  private final Supplier<List<O>> atEnd;
  private final ArrayDeque<O> pending = new ArrayDeque<>();
  private boolean ended;

  StreamingRows(Iterator<I> input, Function<I, List<O>> expand, Supplier<List<O>> atEnd) {
    this.input = input;
    this.expand = expand;
    this.atEnd = atEnd;
  }

  @Override
  public boolean hasNext() {
    while (pending.isEmpty() && !ended) {
      if (input.hasNext()) {
        pending.addAll(expand.apply(input.next()));
      } else {
        ended = true;
        pending.addAll(atEnd.get());
      }
    }
    return !pending.isEmpty();
  }

  @Override
  public O next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return pending.poll();
  }
}
