package dept.prep.ingest;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.BiConsumer;

/** Each item of {@code items} expanded to zero or more outputs, lazily: one item's outputs at a time in memory. */
final class FlatIterator<I, O> implements Iterator<O> {

  private final Iterator<I> items;
  private final BiConsumer<I, ArrayDeque<O>> expand;
  private final ArrayDeque<O> pending = new ArrayDeque<>();

  FlatIterator(Iterator<I> items, BiConsumer<I, ArrayDeque<O>> expand) {
    this.items = items;
    this.expand = expand;
  }

  @Override
  public boolean hasNext() {
    while (pending.isEmpty() && items.hasNext()) {
      expand.accept(items.next(), pending);
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
