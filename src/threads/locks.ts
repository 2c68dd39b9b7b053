/**
 * One run at a time per thread in this process: two runs on one thread would each
 * start from the same checkpoint and write over each other. Replicas sharing a
 * Postgres database also take a lock in the database (`pg-thread-locks.ts`), behind
 * the same interface.
 */
export class ThreadLocks {
  private readonly tails = new Map<string, Promise<void>>();

  /**
   * Waits for earlier runs on the thread; call the returned function when done.
   * `onWait` is called at once when there is an earlier run to wait for.
   */
  async acquire(threadId: string, onWait?: () => void): Promise<() => void> {
    const earlier = this.tails.get(threadId);
    if (earlier) onWait?.();
    const previous = earlier ?? Promise.resolve();
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => done);
    this.tails.set(threadId, tail);
    await previous;
    return () => {
      release();
      if (this.tails.get(threadId) === tail) this.tails.delete(threadId);
    };
  }
}

/** What a request's thread session needs of a lock: this process's, or one shared by replicas. */
export type ThreadLocker = Pick<ThreadLocks, "acquire">;
