/**
 * One graph run as an async stream of RunEvents: `started` when asked, then what our token handler
 * sees as it happens (`token-stream.ts`: every token of every chat-model call, the
 * messages nodes return without one, the models' reasoning and the agent's steps, the
 * documents it draws on), then what the state the run ends in says (tool calls left to
 * the client, a cut answer, an interrupt's question), then the usage.
 */
import { isBaseMessage, type AIMessage, type BaseMessage, type ToolCall } from "@langchain/core/messages";
import type { BaseCheckpointSaver, BaseStore, LangGraphRunnableConfig, ServerInfo } from "@langchain/langgraph";
import { randomUUID } from "node:crypto";
import type { ModelSettings } from "../config.js";
import { followingController } from "../abortable.js";
import { ApiError, ClientClosedError, GraphRunError } from "../errors.js";
import type { ClientToolCall, Interrupt, RunEvent } from "./events.js";
import { interruptText } from "./interrupt-text.js";
import type { CompiledGraph, ModelEntry } from "../registry.js";
import { REQUEST_CONFIG_KEY, REQUEST_LOG_CONFIG_KEY, type ChatRequestContext, type RequestLog } from "./request-context.js";
import { answerOf, answerText, runInput, stateFields } from "./state-io.js";
import { TokenStreamHandler, type StepVisibility, type StreamNodeFilter } from "./token-stream.js";

export interface RunOptions {
  entry: ModelEntry;
  /** The graph's input: `{ messages }` (`state-io.ts` puts them where the graph wants them), or a `Command` that resumes an interrupt. */
  input: unknown;
  threadId: string;
  /** Fork the thread from this checkpoint instead of continuing its latest one. */
  checkpointId?: string;
  /** A checkpointer for this run only, in place of the graph's. */
  checkpointer?: BaseCheckpointSaver;
  /** The run's `config.configurable` (the thread's keys and the request are added here). */
  configurable?: Record<string, unknown>;
  /** The run's LangGraph 1.x runtime context. */
  context?: Record<string, unknown>;
  /** Input fields the request set besides its messages (`state`, as far as the model's `allow_state` lets it). */
  state?: Record<string, unknown>;
  /** `runtime.serverInfo`, as LangGraph's server sets it. */
  serverInfo?: ServerInfo;
  /** The server's store, for a graph compiled without one. */
  store?: BaseStore;
  /**
   * When the run's state is saved: LangGraph's default is after every step; `"exit"` saves
   * it once, when the run ends or stops at an interrupt.
   */
  durability?: "exit";
  /** The entry's graph for this request (a factory export builds one per request). */
  graph: CompiledGraph;
  request: ChatRequestContext;
  /** The request's logger, for nodes (`getRequestLog(config)`). */
  log?: RequestLog;
  /** Whether the client reads the answer as a stream: only then do the run's models stream their tokens (a non-streamed answer needs only each call's result). */
  streamed: boolean;
  /** Whether to report the agent's steps and reasoning at all (a request may turn them off); the model's `steps` settings say which. */
  steps: boolean;
  /**
   * Report each node's start and end (`node` steps, `node_finished`) whatever the model's
   * `steps` settings say, for a protocol that shows steps as steps rather than as lines
   * of reasoning (AG-UI's STEP_STARTED and STEP_FINISHED).
   */
  nodeSteps?: boolean;
  /** Send `started` first, for a client that shows that the run began before it says anything. */
  announceStart?: boolean;
  signal: AbortSignal;
}

/**
 * LangGraph has no run option for a checkpointer: this is the config key through which a
 * graph lends its checkpointer to its subgraphs (`CONFIG_KEY_CHECKPOINTER`, not exported),
 * which `Pregel._resolveCheckpointer` prefers to the graph's own. test/threads.test.ts
 * checks that a stateless run leaves nothing in the server's checkpointer.
 */
const LENT_CHECKPOINTER_KEY = "__pregel_checkpointer";

/** How each provider's LangChain model says its answer was cut at the token limit. */
function stoppedAtTokenLimit(message: BaseMessage): boolean {
  const metadata: Record<string, unknown> = message.response_metadata ?? {};
  return (
    metadata.finish_reason === "length" || // OpenAI and compatible endpoints
    metadata.stop_reason === "max_tokens" || // Anthropic
    metadata.finishReason === "MAX_TOKENS" // Google
  );
}

/** Ids are minted here, before any protocol renders the call, so every rendering of it agrees. */
function withId(call: ToolCall): ClientToolCall {
  return { ...call, id: call.id || `call_${randomUUID().replaceAll("-", "")}` };
}

/**
 * Which messages reach the client, by node name. A message inside a subgraph answers
 * to its own node's name and to the names of the nodes that enclose it (a namespace
 * entry is `"node:taskId"`), so `exclude: ["research"]` hides a whole subgraph.
 */
export function streamNodeFilter(settings: ModelSettings["stream"]): StreamNodeFilter {
  const include = settings?.include && new Set(settings.include);
  const exclude = settings?.exclude?.length ? new Set(settings.exclude) : undefined;
  if (!include && !exclude) return () => true;
  return (node, namespace) => {
    if (node === undefined) return true;
    const names = [node, ...namespace.map((entry) => entry.split(":", 1)[0]!)];
    return (!include || names.some((name) => include.has(name))) && !(exclude && names.some((name) => exclude.has(name)));
  };
}

/** Whether the graph's channel `key` keeps the last value written (no reducer), by the name LangGraph serializes it by, which every copy of LangGraph shares. */
function replacingChannel(graph: CompiledGraph, key: string): boolean {
  const channels = (graph as { channels?: Record<string, { lc_graph_name?: unknown }> }).channels;
  return channels !== undefined && Object.hasOwn(channels, key) && channels[key]?.lc_graph_name === "LastValue";
}

const NO_STEPS: StepVisibility = { reasoning: false, tools: false, nodes: false, progress: false };

/** What the run reports of the agent's steps: the model's `steps` settings (by default its reasoning, tools and progress), or nothing. */
export function stepVisibility(settings: ModelSettings["steps"], wanted: boolean): StepVisibility {
  if (!wanted || settings === false) return NO_STEPS;
  const chosen = typeof settings === "object" ? settings : {};
  return { reasoning: chosen.reasoning ?? true, tools: chosen.tools ?? true, nodes: chosen.nodes ?? false, progress: chosen.progress ?? true };
}

/**
 * Events the handler pushes while the run goes on, read by the generator. Pushing never
 * waits (the model is never held up by a slow reader, as with LangGraph's own stream);
 * what is read is dropped, so the queue holds only what the reader has yet to take.
 */
class EventQueue {
  #items: RunEvent[] = [];
  #head = 0;
  #closed = false;
  #wake: (() => void) | undefined;

  push(event: RunEvent): void {
    this.#items.push(event);
    this.#wakeReader();
  }

  /** No more events: the run is over. */
  close(): void {
    this.#closed = true;
    this.#wakeReader();
  }

  get closed(): boolean {
    return this.#closed;
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** The next event, or undefined when there is none yet. */
  take(): RunEvent | undefined {
    if (this.#head === this.#items.length) return undefined;
    const event = this.#items[this.#head]!;
    this.#head++;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    }
    return event;
  }

  /** Resolves on the next push or on close. */
  wait(): Promise<void> {
    return new Promise((resolve) => (this.#wake = resolve));
  }
}

/**
 * The answer a graph wrote to its output field, after what its models said as it went
 * (`tokens`, in a stream): nothing more when the last of it was the answer (a RAG
 * graph's generation), the rest when it was the answer's start, else the answer as a
 * paragraph of its own.
 */
function* finishAnswer(answer: string, tokens: TokenStreamHandler | undefined): Generator<RunEvent> {
  const said = tokens?.lastParagraph;
  if (said && answer.startsWith(said)) {
    if (answer.length > said.length) yield { type: "text", text: answer.slice(said.length) };
    return;
  }
  yield { type: "text", text: (tokens?.sentText ? "\n\n" : "") + answer };
}

export async function* runGraph(options: RunOptions): AsyncGenerator<RunEvent> {
  const { entry, graph, input, threadId, checkpointId, checkpointer, request, signal } = options;
  // Ours, so that a reader who stops reading also stops the run.
  const { controller: stop, unlink } = followingController(signal);
  const queue = new EventQueue();
  let reading = true;
  const fields = stateFields(graph, entry.settings);
  // A graph that answers in an output field says what its models said only to a stream,
  // which shows the answer as it is made; otherwise the answer is that field alone.
  const answersInState = fields.input !== undefined || fields.output !== undefined;
  const modelText = !answersInState || options.streamed;
  const tokens = new TokenStreamHandler({
    streamTokens: options.streamed,
    streams: streamNodeFilter(entry.settings.stream),
    show: { ...stepVisibility(entry.settings.steps, options.steps), ...(options.nodeSteps && { nodes: true }) },
    emit: (event) => reading && (modelText || event.type !== "text") && queue.push(event),
    replaces: (key) => replacingChannel(graph, key),
  });
  const config: LangGraphRunnableConfig = {
    configurable: {
      ...options.configurable,
      thread_id: threadId,
      ...(checkpointId && { checkpoint_id: checkpointId }),
      ...(checkpointer && { [LENT_CHECKPOINTER_KEY]: checkpointer }),
      [REQUEST_CONFIG_KEY]: request,
      ...(options.log && { [REQUEST_LOG_CONFIG_KEY]: options.log }),
    },
    ...(options.context && { context: options.context }),
    ...(options.serverInfo && { serverInfo: options.serverInfo }),
    // A graph compiled with a store of its own keeps it, as with checkpointers.
    ...(options.store && !graph.store && { store: options.store }),
    signal: stop.signal,
    callbacks: [tokens],
    // LangGraph's `config.writer`, which it leaves to us when given: what nodes write reaches the handler.
    writer: tokens.write,
  };
  let result: Record<string, unknown> | undefined;
  let failure: unknown;
  // One path for both answers: the handler sees every token and every node's messages
  // (the text), `invoke` gives the state the run ends in (tool calls, interrupts).
  // Async, so that a graph-like wrapper whose invoke throws at once still fails as the graph.
  const graphInput = runInput(input, fields, options.state);
  const run = (async () => graph.invoke(graphInput, { ...config, durability: options.durability }))().then(
    (state: unknown) => {
      result = state !== null && typeof state === "object" ? (state as Record<string, unknown>) : {};
      queue.close();
    },
    (error: unknown) => {
      failure = error;
      queue.close();
    },
  );
  try {
    if (options.announceStart) yield { type: "started" };
    for (;;) {
      const event = queue.take();
      if (event) yield event;
      else if (queue.closed) break;
      else await queue.wait();
    }
  } finally {
    reading = false;
    unlink();
    if (!queue.closed) {
      stop.abort();
      await run;
    }
  }
  if (failure !== undefined) {
    if (signal.aborted) throw signal.reason instanceof ApiError ? signal.reason : new ClientClosedError();
    if (failure instanceof ApiError) throw failure;
    throw new GraphRunError(entry.id, failure);
  }
  // Parallel nodes that each stop at an interrupt arrive as one `__interrupt__` list.
  const interrupts = result?.__interrupt__ as Interrupt[] | undefined;
  if (interrupts?.length) {
    // The question is part of the answer's text, after what the run said before it.
    yield { type: "text", text: (modelText && tokens.sentText ? "\n\n" : "") + interruptText(interrupts), question: true };
    yield { type: "interrupt", interrupts: interrupts.map(({ id, value }) => ({ id, value })) };
  } else if (answersInState) {
    // The graph's messages, if it has any, are its own work (data enrichment's agent loop), not calls for the client.
    const answer = answerText(answerOf(fields, result));
    if (answer) yield* finishAnswer(answer, modelText ? tokens : undefined);
  } else {
    const messages = result?.messages;
    const last = Array.isArray(messages) ? (messages.at(-1) as BaseMessage | undefined) : undefined;
    if (isBaseMessage(last) && last.getType() === "ai") {
      const toolCalls = (last as AIMessage).tool_calls;
      if (toolCalls?.length) yield { type: "tool_calls", toolCalls: toolCalls.map(withId), ...(last.id !== undefined && { messageId: last.id }) };
      else if (stoppedAtTokenLimit(last)) yield { type: "truncated" };
    }
  }
  if (result) yield { type: "values", values: result };
  yield { type: "usage", usage: tokens.usage };
}
