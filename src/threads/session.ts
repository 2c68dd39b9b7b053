/**
 * A request's thread, from before the run to after it. A named thread (see
 * `thread-id.ts`) keeps its state; the run gets only what the thread has not seen.
 * Without a name the run is stateless: a fresh thread in a checkpointer of its own
 * (`scratch-saver.ts`), dropped after the run, unless the run stops at `interrupt()`;
 * then the thread is copied to the real checkpointer under the conversation's key
 * (`conversation-key.ts`) for the request that answers it.
 */
import { randomUUID } from "node:crypto";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { untilAborted } from "../abortable.js";
import { ApiError, ThreadLoadError } from "../errors.js";
import type { LangGraphCopy } from "../langgraph-copy.js";
import { refuseThreadGrowth, type CostLimits } from "../limits.js";
import type { Interrupt, RunEvent } from "../run/events.js";
import { tapEvents } from "../run/tap-events.js";
import type { CompiledGraph } from "../registry.js";
import { conversationKey, resumableKey } from "./conversation-key.js";
import { copyThread } from "./copy-thread.js";
import { fencedSaver } from "./lock-fence.js";
import type { ThreadLocker } from "./locks.js";
import { pendingInterrupts, planContinuation, planThreadRun, type ThreadRunPlan, type ThreadWrites } from "./plan.js";
import { scratchSaver } from "./scratch-saver.js";

/** What the client was sent, as far as the thread cares. */
export interface RecordedAnswer {
  content: string;
  interrupted: boolean;
  /** The last chunk went out: the run neither failed nor lost its client. */
  complete: boolean;
}

/** Which thread a request runs on, and how its messages relate to the thread. */
export type ThreadRequest =
  /**
   * No thread: a stateless run (one that stops at an interrupt is kept under the
   * conversation's key). `discard`: nothing is kept and nothing resumed, even an
   * interrupt (a chat UI's background task).
   */
  | { mode: "stateless"; discard?: boolean }
  /**
   * The client resends the whole conversation, as chat UIs do: the thread runs what it
   * has not seen, or forks where the histories part; with what it writes besides (see `ThreadWrites`).
   */
  | ({ mode: "history"; threadId: string } & ThreadWrites)
  /**
   * The client sends only the new input: the thread goes on from its latest checkpoint,
   * or forks from `checkpointId`. `instructions` replace those of earlier runs (see
   * `instructionsEdit`); with `keep: false` the run goes on from a copy of the thread
   * that is dropped afterwards, so the thread gains nothing.
   */
  | { mode: "continue"; threadId: string; checkpointId?: string; instructions?: string | null; keep?: boolean };

export interface ThreadSession {
  threadId: string;
  /** The run's own checkpointer, in place of the graph's: for a thread nobody named, or the thread's fenced by a lock that can be lost. */
  checkpointer?: BaseCheckpointSaver;
  /** Aborts once the thread's lock is lost (see `ThreadRelease`): the run must stop. */
  lost?: AbortSignal;
  /** Where the thread lives: `checkpointer` when set, else the graph's own or the server's. */
  saver: BaseCheckpointSaver;
  /** What the run gets: reads the thread (giving up when the request's signal aborts) and refuses one over the limits. */
  plan(): Promise<ThreadRunPlan>;
  /** After the run, or instead of it: keeps, moves or deletes the thread, and lets the next run on it start. */
  finish(answer: RecordedAnswer): Promise<void>;
}

export interface OpenSessionOptions {
  graph: CompiledGraph;
  /** The LangGraph the graph is built with: it makes the run's scratch checkpointer and resuming Commands. */
  langgraph: LangGraphCopy;
  /** The server's checkpointer, for graphs that have none. */
  checkpointer: BaseCheckpointSaver;
  locks: ThreadLocker;
  model: string;
  /** Whose threads the request names (`owner.ts`): a stateless interrupt's conversation key is scoped to it. */
  owner?: string;
  /** Its thread id already scoped to the owner (`startRequestRun` does that). */
  thread: ThreadRequest;
  /** The request's messages. */
  messages: BaseMessage[];
  /** The request's: waiting for the thread and reading it stop when it aborts. */
  signal: AbortSignal;
  limits: CostLimits;
  /** Called at once when the run must wait for an earlier run on its thread, with that thread. */
  onWait?: (threadId: string) => void;
}

/** Duck-typed, not `instanceof`: a graph with its own copy of LangGraph has its own saver classes. */
function isCheckpointSaver(value: unknown): value is BaseCheckpointSaver {
  return typeof value === "object" && value !== null && typeof (value as BaseCheckpointSaver).getTuple === "function";
}

/** The graph's own checkpointer, or the server's one attached to it (as the registry does): where its threads live. */
export function threadSaver(graph: CompiledGraph, fallback: BaseCheckpointSaver): BaseCheckpointSaver {
  if (!isCheckpointSaver(graph.checkpointer)) graph.checkpointer = fallback;
  return graph.checkpointer as BaseCheckpointSaver;
}

/**
 * A thread that cannot be read back says so. What has a name of its own passes as it
 * is: a wait given up (client gone, timeout), a database out of reach, a thread over
 * the limits.
 */
async function loading<T>(threadId: string, read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (error) {
    throw error instanceof ApiError ? error : new ThreadLoadError(threadId, error);
  }
}

/** Waits for the thread (or gives up with the request); `finish` hands it to the next request. */
async function lockedSession(
  options: OpenSessionOptions,
  threadId: string,
  saver: BaseCheckpointSaver,
  plan: () => Promise<ThreadRunPlan>,
): Promise<ThreadSession> {
  const release = await options.locks.acquire(threadId, options.signal, options.onWait && (() => options.onWait!(threadId)));
  const { lost } = release;
  const fenced = lost && { lost, checkpointer: fencedSaver(saver, lost) };
  return { threadId, saver, ...fenced, plan: () => loading(threadId, plan()), finish: async () => release() };
}

/**
 * The interrupts a thread waits on, read without taking its lock: a look at its latest
 * checkpoint, for a request that must not wait for the thread (a chat UI's background task).
 */
export async function pendingInterruptsOf(graph: CompiledGraph, checkpointer: BaseCheckpointSaver, threadId: string, signal: AbortSignal): Promise<Interrupt[]> {
  threadSaver(graph, checkpointer);
  return pendingInterrupts(await loading(threadId, untilAborted(graph.getState({ configurable: { thread_id: threadId } }), signal)));
}

/** Takes the request's thread: waits for the runs before it on a named thread, holding nothing else meanwhile. */
export async function openSession(options: OpenSessionOptions): Promise<ThreadSession> {
  const { graph, langgraph, model, messages, thread, owner, signal, limits } = options;
  const saver = threadSaver(graph, options.checkpointer);
  const planning = { langgraph, signal, limits };
  if (thread.mode === "history") {
    const writes = { resume: thread.resume, state: thread.state };
    return lockedSession(options, thread.threadId, saver, () => planThreadRun(graph, thread.threadId, messages, { ...planning, ...writes }));
  }
  if (thread.mode === "continue") {
    const { threadId, checkpointId, instructions } = thread;
    const continuation = () => planContinuation(graph, threadId, checkpointId, messages, { ...planning, instructions });
    if (thread.keep !== false) return lockedSession(options, threadId, saver, continuation);
    // The run goes on from a copy that is dropped afterwards: the thread is held only while it is read and copied.
    const copyId = randomUUID();
    const checkpointer = scratchSaver(langgraph);
    const release = await options.locks.acquire(threadId, signal);
    const planOnCopy = async () => {
      try {
        const plan = await continuation();
        // Checkpoint ids survive the copy, so the plan (a fork from `checkpointId`) holds on it.
        await copyThread(saver, threadId, checkpointer, copyId);
        return plan;
      } finally {
        release();
      }
    };
    // `release` again when the plan was never read (the request failed first); once more does nothing.
    return { threadId: copyId, checkpointer, saver: checkpointer, plan: () => loading(threadId, planOnCopy()), finish: async () => release() };
  }

  /** Keeps a run stopped at an interrupt under the conversation's key, and says under which key; `undefined` when nothing is kept. */
  const keepIfInterrupted = async (source: BaseCheckpointSaver, threadId: string, answer: RecordedAnswer): Promise<string | undefined> => {
    if (!answer.complete || !answer.interrupted) return undefined;
    const key = conversationKey(model, [...messages, new AIMessage(answer.content)], owner);
    // Resumed from this very key, the run asked its question again in the same words: the thread already lies there.
    if (source === saver && threadId === key) return key;
    // A chat that ended alike before left its question here: this one replaces it, never mixes with it.
    await saver.deleteThread(key);
    await copyThread(source, threadId, saver, key);
    return key;
  };
  if (thread.discard) {
    const checkpointer = scratchSaver(langgraph);
    return { threadId: randomUUID(), checkpointer, saver: checkpointer, plan: async () => ({ input: { messages } }), finish: async () => {} };
  }
  const key = resumableKey(model, messages, owner);
  if (key !== undefined && (await loading(key, untilAborted(saver.getTuple({ configurable: { thread_id: key, checkpoint_ns: "" } }), signal)))) {
    const session = await lockedSession(options, key, saver, () => planThreadRun(graph, key, messages, planning));
    const finish = async (answer: RecordedAnswer) => {
      // A run that failed or lost its client leaves the question pending: the same answer sent again resumes it.
      if (!answer.complete) return;
      if ((await keepIfInterrupted(saver, key, answer)) !== key) await saver.deleteThread(key);
    };
    return { ...session, finish: (answer) => finish(answer).finally(() => session.finish(answer)) };
  }
  const threadId = randomUUID();
  const checkpointer = scratchSaver(langgraph);
  return {
    threadId,
    checkpointer,
    saver: checkpointer,
    plan: async () => {
      refuseThreadGrowth([], messages, limits);
      return { input: { messages } };
    },
    finish: async (answer) => {
      await keepIfInterrupted(checkpointer, threadId, answer);
    },
  };
}

/** Passes the events through, noting the answer's text and whether it asks an interrupt's question. */
export function recordAnswer(events: AsyncIterable<RunEvent>, answer: RecordedAnswer): AsyncIterableIterator<RunEvent> {
  return tapEvents(events, {
    item(event) {
      if (event.type === "text") answer.content += event.text;
      else if (event.type === "interrupt") answer.interrupted = true;
    },
    end: () => void (answer.complete = true),
  });
}
