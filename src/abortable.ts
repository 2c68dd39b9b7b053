/**
 * Waiting that gives up when a request's signal aborts (its client left, its run timed
 * out, the server stops), for the waits before a run that take no signal themselves:
 * a graph factory, a checkpointer read. The work goes on and its outcome is dropped: a
 * database call cannot be recalled, but it has a timeout of its own (`postgres.ts`).
 */

/** `promise`'s outcome, or a rejection with the signal's reason as soon as it aborts. */
export function untilAborted<T>(promise: PromiseLike<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** The items of `items` one by one, each wait given up as `untilAborted` does; the iterator is closed on the way out. */
export async function* iterateUntilAborted<T>(items: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const iterator = items[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await untilAborted(iterator.next(), signal);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    // Not awaited: after an abort, the iterator may still be waiting for its last item.
    void iterator.return?.()?.catch(() => {});
  }
}

/**
 * An AbortController that aborts with `signal`'s reason when `signal` does, and can also
 * be aborted on its own; `unlink()` stops following `signal`. Not `AbortSignal.any`,
 * whose combined signals Node 20 keeps until their sources are collected.
 */
export function followingController(signal: AbortSignal): { controller: AbortController; unlink(): void } {
  const controller = new AbortController();
  const follow = () => controller.abort(signal.reason);
  if (signal.aborted) follow();
  else signal.addEventListener("abort", follow, { once: true });
  return { controller, unlink: () => signal.removeEventListener("abort", follow) };
}
