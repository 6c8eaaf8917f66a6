package dept.prep.io;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A partition's output produced lazily: each input expands to a few outputs, and {@code atEnd}
 * supplies the last ones (and releases resources) once the input is exhausted, so a task never
 * holds its whole partition in memory.
 */
public final class StreamingRows<I, O> implements Iterator<O> {

  private final Iterator<I> input;
  private final Function<I, List<O>> expand;
  private final Supplier<List<O>> atEnd;
  private final ArrayDeque<O> pending = new ArrayDeque<>();
  private boolean ended;

  /** Each input handed to {@code expand} with a sink for its outputs (none added at the end). */
  public static <I, O> StreamingRows<I, O> each(Iterator<I> input, BiConsumer<I, Consumer<O>> expand) {
    return new StreamingRows<>(input, item -> {
      List<O> out = new java.util.ArrayList<>();
      expand.accept(item, out::add);
      return out;
    }, List::of);
  }

  public StreamingRows(Iterator<I> input, Function<I, List<O>> expand, Supplier<List<O>> atEnd) {
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
