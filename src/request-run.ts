/**
 * A request's graph run from admission to cleanup, the same for every protocol: one
 * abort signal for all of it (the client leaving, the run timeout, a stop), the run's
 * configurable and context (the model's defaults, what the request may set, what
 * LangGraph's server would tell the graph), the graph (a factory builds one per
 * request), the thread (scoped to its owner, its lock, what it has not seen, a fork or
 * a resume), a run slot (or 429) once the thread is the request's, the run's events,
 * and afterwards the thread kept or dropped and the slot freed. A protocol's route
 * parses and converts its request, calls `startRequestRun`, and renders the events.
 */
import type { BaseMessage } from "@langchain/core/messages";
import type { BaseCheckpointSaver, BaseStore } from "@langchain/langgraph";
import type { Context } from "hono";
import type { Logger } from "pino";
import { untilAborted } from "./abortable.js";
import { ApiError, ClientClosedError, GraphRunError } from "./errors.js";
import type { RespondOptions } from "./http/respond.js";
import type { CostLimits } from "./limits.js";
import type { CompiledGraph, ModelEntry } from "./registry.js";
import type { AdmittedRun, RunTracker, TrackedRequest } from "./run-tracker.js";
import type { RunEvent } from "./run/events.js";
import { REQUEST_CONFIG_KEY, REQUEST_LOG_CONFIG_KEY, type ChatRequestContext } from "./run/request-context.js";
import { runGraph } from "./run/run.js";
import { checkContext, resolveRunSettings, type RequestedSettings } from "./run/run-settings.js";
import { runConfigurable, runUser, serverInfo } from "./run/server-info.js";
import { cutAtStopSequences } from "./run/stop-sequences.js";
import { withCheckpointMetadata } from "./threads/checkpoint-metadata.js";
import type { ThreadLocker } from "./threads/locks.js";
import { scopeThreadId, threadOwner } from "./threads/owner.js";
import type { ThreadRunPlan } from "./threads/plan.js";
import {
  openSession,
  recordAnswer,
  threadSaver,
  type OpenSessionOptions,
  type RecordedAnswer,
  type ThreadRequest,
  type ThreadSession,
} from "./threads/session.js";

export interface RequestRunDeps {
  checkpointer: BaseCheckpointSaver;
  /** LangGraph's long-term memory, for graphs compiled without a store of their own. */
  store?: BaseStore;
  locks: ThreadLocker;
  /** Admission (429), the run timeout, and what each run did, for logs and metrics. */
  runs: RunTracker;
  /** What one request or thread may cost (`limits.ts`). */
  limits: CostLimits;
  /** Called with every error that became a 5xx, with its cause and the request's id. */
  onServerError?: (error: ApiError, cause: unknown, requestId?: string) => void;
  /** The server's logger; a run gets a child with the request's id (`getRequestLog(config)`). */
  logger?: Logger;
}

export interface RequestRunInput {
  entry: ModelEntry;
  /** What the client sent: the whole conversation, or only the new input when it continues a thread (see `thread`). */
  messages: BaseMessage[];
  /** The thread as the client names it: scoped to the caller here (`threads/owner.ts`). */
  thread: ThreadRequest;
  request: ChatRequestContext;
  /** Written into the metadata of every checkpoint the run makes, to find them again (a Responses API response id's marker). */
  checkpointMetadata?: Record<string, string>;
  /** The request's `configurable`, `context` and `state`, over the model's defaults as far as its allow lists let them. */
  settings?: RequestedSettings;
  /** Where the answer's text ends, before any of these (see `run/stop-sequences.ts`). */
  stopSequences?: readonly string[];
  /** Whether the client reads the answer as a stream (see `RunOptions.streamed`). */
  streamed: boolean;
  /** Whether to report the agent's steps and reasoning (default true; a request may turn them off). */
  steps?: boolean;
  /** Report each node's start and end, whatever the model's `steps` settings say (see `RunOptions.nodeSteps`). */
  nodeSteps?: boolean;
  /**
   * Tell where the run stands before it says anything, for a client that shows it (a chat
   * UI's status line): a run that must wait for an earlier run on its thread starts its
   * events at once with `queued`, and every run sends `started` when its graph starts.
   * Otherwise the run's events start with what it says, and errors before that are plain
   * HTTP errors. A run on a copy of its thread (`keep: false`) never says `queued`: its
   * thread is not known yet.
   */
  announce?: boolean;
  /** Aborts the run as the client leaving does, for a protocol whose client cancels a call without closing its connection (MCP). */
  signal?: AbortSignal;
}

export interface RequestRun {
  /** The run's events, as the run makes them. */
  events: AsyncIterable<RunEvent>;
  /** The thread the run is on, as the checkpointer holds it: scoped to its owner (a fresh id for a stateless run). */
  threadId: string;
  /** The checkpointer that holds the thread. */
  saver: BaseCheckpointSaver;
  /** What the response step needs: the cleanup after the answer and what to do when the client leaves. */
  respondOptions: RespondOptions;
}

/** No answer was sent: the thread is only handed on (a pending interrupt stays pending). */
const NO_ANSWER: RecordedAnswer = { content: "", interrupted: false, complete: false };

interface OpenedThread {
  session: ThreadSession;
  run: AdmittedRun;
  plan: ThreadRunPlan;
}

/** The thread (waited for holding no slot), then the slot, then what the run gets. */
async function openThread(options: OpenSessionOptions, tracked: TrackedRequest): Promise<OpenedThread> {
  const session = await openSession(options);
  try {
    const run = tracked.admit();
    return { session, run, plan: await session.plan() };
  } catch (error) {
    await session.finish(NO_ANSWER);
    throw error;
  }
}

/** The entry's graph for this config (a factory export is called with it); a factory's failure is the graph's. */
async function buildGraph(entry: ModelEntry, configurable: Record<string, unknown>, context: Record<string, unknown>, signal?: AbortSignal): Promise<CompiledGraph> {
  const building = entry.getGraph({ configurable, context }).catch((error: unknown) => {
    throw error instanceof ApiError ? error : new GraphRunError(entry.id, error);
  });
  return signal ? untilAborted(building, signal) : building;
}

/**
 * The graph as the model's runs get it (its `configurable` and `context` defaults, the
 * assistant and graph ids), for what needs it outside a run: the checkpointer its
 * threads live in, a thread's pending interrupt.
 */
export function modelGraph(entry: ModelEntry, extra: Record<string, unknown> = {}): Promise<CompiledGraph> {
  const settings = resolveRunSettings(entry, {});
  return buildGraph(entry, { ...runConfigurable(entry, undefined, settings.configurable), ...extra }, settings.context);
}

/**
 * Calls `onAbort` at once if `signal` has aborted, else when it does; returns what stops
 * listening. Not `AbortSignal.any` (see `followingController`).
 */
function whenAborted(signal: AbortSignal, onAbort: () => void): () => void {
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  return () => signal.removeEventListener("abort", onAbort);
}

/** A run whose thread lock is lost stops with the loss's reason (503, see `lock-fence.ts`). */
function stopOnLockLoss(lost: AbortSignal | undefined, controller: AbortController): void {
  if (lost) whenAborted(lost, () => controller.abort(lost.reason));
}

export async function startRequestRun(c: Context, deps: RequestRunDeps, input: RequestRunInput): Promise<RequestRun> {
  const { entry, messages, request } = input;
  const owner = threadOwner(c);
  // The one place where a client's thread id becomes the id of the caller's own thread.
  const thread: ThreadRequest = input.thread.mode === "stateless" ? input.thread : { ...input.thread, threadId: scopeThreadId(owner, input.thread.threadId) };
  const requestedThreadId = thread.mode === "stateless" ? undefined : thread.threadId;
  const user = runUser({ header: (name) => c.req.header(name), requestUser: request.user, tenant: c.get("tenant"), frontEnd: c.get("frontEnd") });
  const settings = resolveRunSettings(entry, input.settings ?? {});
  const configurable = runConfigurable(entry, user, settings.configurable);
  const log = deps.logger?.child({ requestId: c.get("requestId") });
  const controller = new AbortController();
  const { signal } = controller;
  // From here on the run's timeout aborts `controller`; a slot comes later, with the thread.
  const tracked = deps.runs.track(entry, controller);
  c.set("run", tracked.record);
  const clientLeft = () => controller.abort(new ClientClosedError());
  const clientSignals = input.signal ? [c.req.raw.signal, input.signal] : [c.req.raw.signal];
  const unwatchClient = clientSignals.map((clientSignal) => whenAborted(clientSignal, clientLeft));
  const stopWatching = () => {
    tracked.end();
    for (const unwatch of unwatchClient) unwatch();
  };

  let graph: CompiledGraph;
  let opened: OpenedThread | undefined;
  let queuedOn: string | undefined;
  let opening: Promise<OpenedThread>;
  try {
    const factoryConfigurable = {
      ...configurable,
      ...(requestedThreadId !== undefined && { thread_id: requestedThreadId }),
      [REQUEST_CONFIG_KEY]: request,
      [REQUEST_LOG_CONFIG_KEY]: log,
    };
    graph = await buildGraph(entry, factoryConfigurable, settings.context, signal);
    checkContext(graph, settings.context);
    let announce!: (threadId: string) => void;
    const queued = new Promise<void>((resolve) => {
      announce = (threadId) => {
        queuedOn = threadId;
        resolve();
      };
    });
    opening = openThread(
      {
        graph,
        langgraph: entry.langgraph,
        checkpointer: deps.checkpointer,
        locks: deps.locks,
        model: entry.id,
        owner,
        thread,
        messages,
        signal,
        limits: deps.limits,
        // Not for a thread the run goes on from a copy of: the copy is made once the wait is over.
        onWait: input.announce && !(thread.mode === "continue" && thread.keep === false) ? announce : undefined,
      },
      tracked,
    ).then((ready) => {
      stopOnLockLoss(ready.session.lost, controller);
      return (opened = ready);
    });
    // Read by the events once the wait is over; this keeps a failure then from counting as unhandled.
    opening.catch(() => {});
    await Promise.race([opening, queued]);
  } catch (error) {
    stopWatching();
    throw error;
  }

  const answer: RecordedAnswer = { content: "", interrupted: false, complete: false };
  const respondOptions: RespondOptions = {
    onClientLeft: clientLeft,
    // A failure after streaming began never reaches app.onError; the log line needs the request id too.
    onServerError: (error, cause) => deps.onServerError?.(error, cause, c.get("requestId")),
    cleanup: async () => {
      stopWatching();
      // A request that gave up waiting for its thread has nothing to hand on.
      const ready = opened ?? (await opening.catch(() => undefined));
      await ready?.session.finish(answer);
    },
  };

  const runEvents = ({ session, run, plan }: OpenedThread) =>
    run.observe(
      runGraph({
        entry,
        graph,
        input: plan.input,
        threadId: session.threadId,
        checkpointId: plan.checkpointId,
        checkpointer: input.checkpointMetadata ? withCheckpointMetadata(session.checkpointer ?? session.saver, input.checkpointMetadata) : session.checkpointer,
        configurable,
        context: settings.context,
        state: settings.state,
        serverInfo: serverInfo(entry, user),
        store: deps.store,
        // A thread nobody named is only kept if the run stops at an interrupt, so saving its
        // state once at the end is enough, and a third cheaper on a one-node graph
        // (bench/RESULTS.md). A named thread keeps every step: its start is where an
        // edit of the first message forks from.
        durability: requestedThreadId === undefined ? "exit" : undefined,
        request,
        log,
        streamed: input.streamed,
        steps: input.steps ?? true,
        nodeSteps: input.nodeSteps,
        announceStart: input.announce,
        signal,
      }),
    );
  async function* afterTheWait(): AsyncGenerator<RunEvent> {
    yield { type: "queued" };
    yield* runEvents(await opening);
  }
  const events = opened ? runEvents(opened) : afterTheWait();
  // Cut before the answer is recorded: the thread keeps what the client was sent, which its next request resends.
  const answered = cutAtStopSequences(events, input.stopSequences);
  return {
    events: recordAnswer(answered, answer),
    threadId: opened?.session.threadId ?? queuedOn!,
    // A run that waits for its thread will run where the thread lives (see `announce`).
    saver: opened?.session.saver ?? threadSaver(graph, deps.checkpointer),
    respondOptions,
  };
}
