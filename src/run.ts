/**
 * One graph run as an async stream of RunEvents. Built on LangGraph's `messages`
 * stream mode, which sees every token of every chat-model call (and messages nodes
 * return without one), plus root `values` for the state the run ends in.
 */
import { isBaseMessage, type AIMessage, type AIMessageChunk, type BaseMessage, type UsageMetadata } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import type { ModelSettings } from "./config.ts";
import { toOpenAIToolCalls } from "./convert.ts";
import { ApiError, ClientClosedError, GraphRunError } from "./errors.ts";
import type { RunEvent } from "./events.ts";
import type { Interrupt, Usage } from "./openai/schemas.ts";
import type { CompiledGraph, ModelEntry } from "./registry.ts";
import { REQUEST_CONFIG_KEY, type ChatRequestContext } from "./request-context.ts";

export interface RunOptions {
  entry: ModelEntry;
  /** The graph's input: `{ messages }`, or a `Command` that resumes an interrupt. */
  input: unknown;
  threadId: string;
  /** Fork the thread from this checkpoint instead of continuing its latest one. */
  checkpointId?: string;
  /**
   * When the run's state is saved: LangGraph's default is after every step; `"exit"` saves
   * it once, when the run ends or stops at an interrupt.
   */
  durability?: "exit";
  /** The graph, when the caller built it already (a factory export runs once per request). */
  graph?: CompiledGraph;
  request: ChatRequestContext;
  signal: AbortSignal;
}

/**
 * Usage is summed from the `messages` stream itself, which carries every chat-model
 * call of the run (each streamed chunk, or the whole message of an unstreamed call,
 * once: LangGraph drops a node's copy of a message it already sent). A callback handler
 * would see the same calls but costs a callback per token.
 */
function addUsage(usage: Usage, reported: UsageMetadata): void {
  usage.prompt_tokens += reported.input_tokens;
  usage.completion_tokens += reported.output_tokens;
  usage.total_tokens += reported.total_tokens ?? reported.input_tokens + reported.output_tokens;
}

/** How each provider's LangChain model says its answer was cut at the token limit. */
function stoppedAtTokenLimit(message: BaseMessage): boolean {
  const metadata: Record<string, unknown> = message.response_metadata ?? {};
  return (
    metadata.finish_reason === "length" || // OpenAI and compatible endpoints
    metadata.stop_reason === "max_tokens" || // Anthropic
    metadata.finishReason === "MAX_TOKENS" // Google
  );
}

type StreamNodeFilter = (node: unknown, namespace: readonly string[]) => boolean;

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
    if (typeof node !== "string") return true;
    const names = [node, ...namespace.map((entry) => entry.split(":", 1)[0]!)];
    return (!include || names.some((name) => include.has(name))) && !(exclude && names.some((name) => exclude.has(name)));
  };
}

type StreamPart = [namespace: string[], mode: "messages", payload: [BaseMessage, Record<string, unknown>]]
  | [namespace: string[], mode: "values", payload: Record<string, unknown>];

/** The state's messages whose ids are not in `known`, which learns them. */
function newMessages(state: Record<string, unknown>, known: Set<string>): BaseMessage[] {
  const messages: unknown[] = Array.isArray(state.messages) ? state.messages : [];
  return messages.filter((message): message is BaseMessage => {
    if (!isBaseMessage(message) || !message.id || known.has(message.id)) return false;
    known.add(message.id);
    return true;
  });
}

export async function* runGraph(options: RunOptions): AsyncGenerator<RunEvent> {
  const { entry, input, threadId, checkpointId, request, signal } = options;
  const usage: Usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  const config: RunnableConfig = {
    configurable: { thread_id: threadId, ...(checkpointId && { checkpoint_id: checkpointId }), [REQUEST_CONFIG_KEY]: request },
    signal,
  };
  const streams = streamNodeFilter(entry.settings.stream);
  let finalState: Record<string, unknown> | undefined;
  let textMessageId: string | undefined;
  let interrupts: Interrupt[] | undefined;
  // Ids of the messages the state started with and of those the `messages` mode carried.
  const known = new Set<string>();
  let sawFirstValues = false;
  function* textOf(message: BaseMessage): Generator<RunEvent> {
    const text = message.text;
    if (!text) return;
    // Two AI messages in one answer (a ReAct agent's turns) read as two paragraphs.
    if (textMessageId !== undefined && message.id !== textMessageId) yield { type: "text", text: "\n\n" };
    textMessageId = message.id;
    yield { type: "text", text };
  }
  try {
    const graph = options.graph ?? (await entry.getGraph(config));
    const stream = (await graph.stream(input, {
      ...config,
      streamMode: ["messages", "values"],
      durability: options.durability,
      subgraphs: true,
    })) as AsyncIterable<StreamPart>;
    for await (const [namespace, mode, payload] of stream) {
      if (mode === "messages") {
        const [message, metadata] = payload;
        if (message.id) known.add(message.id);
        if (message.getType() !== "ai") continue;
        const reported = (message as AIMessageChunk).usage_metadata;
        if (reported) addUsage(usage, reported);
        if (!streams(metadata.langgraph_node, namespace)) continue;
        yield* textOf(message);
      } else if (namespace.length === 0) {
        // Parallel nodes that each stop at an interrupt arrive as one `__interrupt__` each.
        if ("__interrupt__" in payload) interrupts = [...(interrupts ?? []), ...(payload.__interrupt__ as Interrupt[])];
        else {
          finalState = payload;
          // LangGraph's `messages` mode only sees message objects a node returns: one that
          // returns `{ role: "assistant", content }` reaches the state (the reducer makes it an
          // AIMessage) but not that stream. Such messages have no node to filter by, so they
          // are sent only when the model streams every node (the default).
          for (const message of newMessages(payload, known)) {
            if (sawFirstValues && !entry.settings.stream && message.getType() === "ai") yield* textOf(message);
          }
          sawFirstValues = true;
        }
      }
    }
  } catch (error) {
    if (signal.aborted) throw signal.reason instanceof ApiError ? signal.reason : new ClientClosedError();
    if (error instanceof ApiError) throw error;
    throw new GraphRunError(entry.id, error);
  }
  if (interrupts) {
    yield { type: "interrupt", interrupts: interrupts.map(({ id, value }) => ({ id, value })) };
  } else {
    const messages = finalState?.messages;
    const last = Array.isArray(messages) ? (messages.at(-1) as BaseMessage | undefined) : undefined;
    if (last?.getType() === "ai") {
      const toolCalls = (last as AIMessage).tool_calls;
      if (toolCalls?.length) yield { type: "tool_calls", toolCalls: toOpenAIToolCalls(toolCalls) };
      else if (stoppedAtTokenLimit(last)) yield { type: "truncated" };
    }
  }
  yield { type: "usage", usage };
}
