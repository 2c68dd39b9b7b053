/**
 * LangGraph gives every run that has a store an `AsyncBatchedStore`, whose batching loop
 * starts with the run and wakes on every timer tick (`setTimeout(0)`) until the run ends,
 * whether or not the graph ever touches the store. Every run here has one (the server's
 * store, `--store memory` by default), most never use it, and a long stream keeps its
 * loop spinning for its whole length: without it, non-streamed one-node requests went from
 * 0.52× to 0.61× the floor's rate (bench/RESULTS.md). This makes the loop start at the
 * run's first store operation instead; a run that uses its store batches exactly as before.
 *
 * It changes the class of the graph's own LangGraph copy, once, and only when that class
 * has the shape this was written against (LangGraph 1.x); otherwise it leaves it alone.
 */
import type { AsyncBatchedStore } from "@langchain/langgraph";

interface BatchedStoreInternals {
  running: boolean;
  start(): void;
  stop(): Promise<void>;
  enqueueOperation(operation: unknown): Promise<unknown>;
  [WANTED]?: boolean;
}

const WANTED = Symbol("langgraph-openai.batchingWanted");
const PATCHED = Symbol.for("langgraph-openai.lazyBatching");

export function startBatchingLazily(storeClass: typeof AsyncBatchedStore | undefined): void {
  const prototype = storeClass?.prototype as unknown as (BatchedStoreInternals & { [PATCHED]?: true }) | undefined;
  if (!prototype || prototype[PATCHED]) return;
  const { start, stop, enqueueOperation } = prototype;
  if (typeof start !== "function" || typeof stop !== "function" || typeof enqueueOperation !== "function") return;
  if (!Object.getOwnPropertyDescriptor(prototype, "isRunning")?.get) return;
  prototype[PATCHED] = true;
  prototype.start = function (this: BatchedStoreInternals) {
    this[WANTED] = true;
  };
  prototype.enqueueOperation = function (this: BatchedStoreInternals, operation: unknown) {
    const result = enqueueOperation.call(this, operation);
    if (this[WANTED] && !this.running) start.call(this);
    return result;
  };
  prototype.stop = function (this: BatchedStoreInternals) {
    this[WANTED] = false;
    return stop.call(this);
  };
}
