/**
 * One run at a time per thread across the workers of `--workers N` (node:cluster) with a
 * SQLite checkpointer: the primary process holds the one in-process lock (`locks.ts`) for
 * every worker, which asks for a thread and hands it on over the cluster's IPC channel.
 * A worker that dies drops what it held or waited for, as a replica's Postgres
 * connections drop its advisory locks. (Postgres needs none of this: each worker takes
 * the advisory locks of `pg-thread-locks.ts`, as replicas do.)
 */
import type { Cluster, Worker } from "node:cluster";
import { ThreadLocks, type ThreadLocker } from "./locks.js";

/** Worker -> primary: ask for a thread, hand it on, or stop waiting for it. */
type LockRequest = { kind: "thread-lock"; op: "acquire"; id: number; threadId: string } | { kind: "thread-lock"; op: "release" | "cancel"; id: number };
/** Primary -> worker: the thread is the caller's, or an earlier run holds it. */
type LockAnswer = { kind: "thread-lock"; op: "granted" | "waiting"; id: number };

function isLockMessage<T extends { kind: "thread-lock" }>(message: unknown): message is T {
  return typeof message === "object" && message !== null && (message as { kind?: unknown }).kind === "thread-lock";
}

/** The worker's side: a `ThreadLocker` whose queue lives in the primary. */
export class ClusterThreadLocks implements ThreadLocker {
  #nextId = 0;
  readonly #asked = new Map<number, { granted(): void; waiting(): void }>();

  constructor() {
    if (!process.send) throw new Error("ClusterThreadLocks runs in a worker of node:cluster");
    process.on("message", (message: unknown) => {
      if (!isLockMessage<LockAnswer>(message)) return;
      const asked = this.#asked.get(message.id);
      if (message.op === "granted") asked?.granted();
      else asked?.waiting();
    });
  }

  acquire(threadId: string, signal: AbortSignal, onWait?: () => void): Promise<() => void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const id = ++this.#nextId;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        send({ kind: "thread-lock", op: "release", id });
      };
      // A grant that crosses the cancel is taken back by the primary, which reads the cancel as a release.
      const leave = () => {
        this.#asked.delete(id);
        send({ kind: "thread-lock", op: "cancel", id });
        reject(signal.reason);
      };
      this.#asked.set(id, {
        granted: () => {
          this.#asked.delete(id);
          signal.removeEventListener("abort", leave);
          resolve(release);
        },
        waiting: () => onWait?.(),
      });
      signal.addEventListener("abort", leave, { once: true });
      send({ kind: "thread-lock", op: "acquire", id, threadId });
    });
  }
}

function send(message: LockRequest): void {
  process.send!(message);
}

/** A worker's ask, waiting (its controller stops the wait) or granted (its release hands the thread on). */
interface Asked {
  waiting: AbortController;
  release?: () => void;
}

/** The primary's side: answers every worker's asks from one queue per thread. */
export function shareThreadLocks(cluster: Cluster): void {
  const locks = new ThreadLocks();
  const byWorker = new Map<Worker, Map<number, Asked>>();
  const drop = (asked: Asked) => (asked.release ? asked.release() : asked.waiting.abort());
  cluster.on("message", (worker: Worker, message: unknown) => {
    if (!isLockMessage<LockRequest>(message)) return;
    let asks = byWorker.get(worker);
    if (!asks) byWorker.set(worker, (asks = new Map()));
    const { id } = message;
    if (message.op !== "acquire") {
      const asked = asks.get(id);
      asks.delete(id);
      if (asked) drop(asked);
      return;
    }
    const asked: Asked = { waiting: new AbortController() };
    asks.set(id, asked);
    const answer = (op: LockAnswer["op"]) => worker.isConnected() && worker.send({ kind: "thread-lock", op, id } satisfies LockAnswer);
    locks.acquire(message.threadId, asked.waiting.signal, () => answer("waiting")).then(
      (release) => {
        // Cancelled just as the thread came free: it goes straight on.
        if (asks.get(id) !== asked) return release();
        asked.release = release;
        answer("granted");
      },
      // Stopped waiting: the worker cancelled, or died.
      () => {},
    );
  });
  cluster.on("exit", (worker: Worker) => {
    const asks = byWorker.get(worker) ?? new Map<number, Asked>();
    byWorker.delete(worker);
    for (const [id, asked] of asks) {
      asks.delete(id);
      drop(asked);
    }
  });
}
