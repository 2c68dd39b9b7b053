/**
 * One run at a time per thread: two runs on one thread would each start from the same
 * checkpoint and write over each other. A request waits its turn holding nothing else
 * (no run slot), and stops waiting when its signal aborts: its client left or its run
 * timed out, so a queue of abandoned requests never holds up the thread or the server.
 * Replicas sharing a Postgres database also take a lock in the database
 * (`pg-thread-locks.ts`), behind the same interface.
 */

/**
 * Hands the thread on (calling it again does nothing). A lock that can be lost while held
 * (a database's, whose connection may fail) says so with `lost`, which aborts with the
 * reason: another run may hold the thread from then on, so the holder writes no more.
 */
export type ThreadRelease = (() => void) & { readonly lost?: AbortSignal };

/** What a request's thread session needs of a lock: this process's, or one shared by replicas. */
export interface ThreadLocker {
  /**
   * Resolves once the thread is the caller's, with the function that hands it on;
   * rejects with the signal's reason if the signal aborts first, leaving the queue as if
   * the caller never came. `onWait` is called at once when an earlier run holds the thread.
   */
  acquire(threadId: string, signal: AbortSignal, onWait?: () => void): Promise<ThreadRelease>;
}

/** Locks in this process. */
export class ThreadLocks implements ThreadLocker {
  /** Per thread, the callers in order: the first holds the thread, each of the others waits for its grant. */
  readonly #queues = new Map<string, (() => void)[]>();

  acquire(threadId: string, signal: AbortSignal, onWait?: () => void): Promise<() => void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      let queue = this.#queues.get(threadId);
      if (!queue) this.#queues.set(threadId, (queue = []));
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        this.#handOn(threadId);
      };
      const grant = () => {
        signal.removeEventListener("abort", leave);
        resolve(release);
      };
      const leave = () => {
        queue.splice(queue.indexOf(grant), 1);
        reject(signal.reason);
      };
      queue.push(grant);
      if (queue.length === 1) return grant();
      signal.addEventListener("abort", leave, { once: true });
      onWait?.();
    });
  }

  /** The holder is done: the next caller in line gets the thread. */
  #handOn(threadId: string): void {
    const queue = this.#queues.get(threadId)!;
    queue.shift();
    if (queue.length === 0) this.#queues.delete(threadId);
    else queue[0]!();
  }
}
