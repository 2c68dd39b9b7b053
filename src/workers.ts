/**
 * `--workers N`: N server processes on one port (node:cluster), to use every core. The
 * primary only forks them, prints one banner once all listen, shares the SQLite thread
 * locks (`threads/cluster-thread-locks.ts`), replaces a worker that dies after it was
 * serving, and passes a stop on. Each worker is the whole server, on the checkpointer
 * they share.
 */
import cluster, { type Worker } from "node:cluster";
import { shareThreadLocks } from "./threads/cluster-thread-locks.js";
import { withYoungGeneration } from "./young-generation.js";

/** Worker -> primary: it listens, with the lines of its banner. */
export interface WorkerListening {
  kind: "listening";
  banner: string[];
}
/** Primary -> worker: stop gracefully, as on SIGTERM (the worker may have had the signal itself, from a terminal). */
export const STOP_MESSAGE = { kind: "stop" } as const;

export function isStopMessage(message: unknown): boolean {
  return typeof message === "object" && message !== null && (message as { kind?: unknown }).kind === STOP_MESSAGE.kind;
}

function isListening(message: unknown): message is WorkerListening {
  return typeof message === "object" && message !== null && (message as { kind?: unknown }).kind === "listening";
}

/** Runs in the primary: forks `count` workers of this same command line and looks after them until they stop. */
export function runWorkers(count: number, write: (line: string) => void): void {
  // A worker is a new `node`: it can start with the young generation a server wants.
  cluster.setupPrimary({ execArgv: withYoungGeneration(process.execArgv) });
  shareThreadLocks(cluster);
  const serving = new Set<Worker>();
  let stopping = false;
  let bannerShown = false;
  cluster.on("message", (worker, message: unknown) => {
    if (!isListening(message)) return;
    serving.add(worker);
    if (bannerShown || serving.size < count) return;
    bannerShown = true;
    const [first, ...rest] = message.banner;
    write([`${first} with ${count} workers`, ...rest].join("\n"));
  });
  cluster.on("exit", (worker, code, signal) => {
    const wasServing = serving.delete(worker);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit();
      return;
    }
    if (!wasServing) {
      // It never started (its own message says why): the others would fail the same way.
      stopAll();
      process.exitCode = code || 1;
      return;
    }
    write(`langgraph-openai: worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting another`);
    cluster.fork();
  });
  const stopAll = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) {
      // One still starting has no handler for the message yet: the signal's default ends it.
      if (!worker) continue;
      if (serving.has(worker)) worker.send(STOP_MESSAGE);
      else worker.process.kill("SIGTERM");
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    write(`langgraph-openai: ${signal}: stopping ${count} workers`);
    process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
    stopAll();
    // A second signal means "now", for the workers too.
    const now = (again: NodeJS.Signals) => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(again);
      process.exit(1);
    };
    process.once("SIGINT", now).once("SIGTERM", now);
  };
  process.once("SIGINT", onSignal).once("SIGTERM", onSignal);
  for (let i = 0; i < count; i++) cluster.fork();
}
