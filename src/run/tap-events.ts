/**
 * Passes a stream of events through unchanged while something notes them (the run's
 * record, the answer a thread keeps). An async generator that does this costs a few
 * promises and a suspended frame per event; this costs the one `then` of the source's
 * own promise, on a path every token takes.
 */
export interface EventTap<T> {
  /** Each item, as it passes. */
  item?(item: T): void;
  /** The source ended. */
  end?(): void;
  /** The source failed; the error still reaches the reader. */
  error?(error: unknown): void;
}

export function tapEvents<T>(source: AsyncIterable<T>, tap: EventTap<T>): AsyncIterableIterator<T> {
  const inner = source[Symbol.asyncIterator]();
  // As a generator's: once the source has ended or failed, the tap hears nothing more.
  let over = false;
  const passed = (result: IteratorResult<T>): IteratorResult<T> => {
    if (over) return { done: true, value: undefined };
    if (result.done) {
      over = true;
      tap.end?.();
    } else tap.item?.(result.value);
    return result;
  };
  const failed = (error: unknown): never => {
    if (!over) tap.error?.(error);
    over = true;
    throw error;
  };
  return {
    next: () => (over ? Promise.resolve({ done: true, value: undefined }) : inner.next().then(passed, failed)),
    // As a generator's too: after `return`, reading on hears nothing, so an abandoned source never ends the tap.
    // Set once the source has returned, so a `next` already waiting still gets its item.
    return: async (value?: unknown) => {
      try {
        return inner.return ? await inner.return(value) : { done: true, value: value as T };
      } finally {
        over = true;
      }
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
