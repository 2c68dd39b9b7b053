/**
 * One graph run as an async stream of RunEvents. Built on LangGraph's `messages`
 * stream mode, which sees every token of every chat-model call (and messages nodes
 * return without one), plus root `values` for the state the run ends in.
 */
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { BaseMessage, UsageMetadata } from "@langchain/core/messages";
import type { LLMResult } from "@langchain/core/outputs";
import type { RunnableConfig } from "@langchain/core/runnables";
import type { ModelSettings } from "./config.ts";
import { toOpenAIToolCalls } from "./convert.ts";
import { ApiError, ClientClosedError, GraphRunError } from "./errors.ts";
import type { RunEvent } from "./events.ts";
import type { Interrupt, Usage } from "./openai/schemas.ts";
import type { ModelEntry } from "./registry.ts";
import { REQUEST_CONFIG_KEY, type ChatRequestContext } from "./request-context.ts";

export interface RunOptions {
  entry: ModelEntry;
  /** The graph's input: `{ messages }`, or a `Command` that resumes an interrupt. */
  input: unknown;
  threadId: string;
  request: ChatRequestContext;
  signal: AbortSignal;
}

/** Sums `usage_metadata` over every chat-model call, streamed or not, shown to the user or not. */
class UsageCollector extends BaseCallbackHandler {
  name = "UsageCollector";
  override awaitHandlers = true;
  readonly usage: Usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

  override handleLLMEnd(output: LLMResult): void {
    for (const generations of output.generations) {
      for (const generation of generations) {
        const metadata = (generation as { message?: { usage_metadata?: UsageMetadata } }).message?.usage_metadata;
        if (!metadata) continue;
        this.usage.prompt_tokens += metadata.input_tokens;
        this.usage.completion_tokens += metadata.output_tokens;
        this.usage.total_tokens += metadata.total_tokens ?? metadata.input_tokens + metadata.output_tokens;
      }
    }
  }
}

type StreamNodeFilter = (node: unknown) => boolean;

export function streamNodeFilter(settings: ModelSettings["stream"]): StreamNodeFilter {
  const include = settings?.include && new Set(settings.include);
  const exclude = new Set(settings?.exclude ?? []);
  return (node) => typeof node !== "string" || ((!include || include.has(node)) && !exclude.has(node));
}

type StreamPart = [namespace: string[], mode: "messages", payload: [BaseMessage, Record<string, unknown>]]
  | [namespace: string[], mode: "values", payload: Record<string, unknown>];

export async function* runGraph(options: RunOptions): AsyncGenerator<RunEvent> {
  const { entry, input, threadId, request, signal } = options;
  const usage = new UsageCollector();
  const config: RunnableConfig = {
    configurable: { thread_id: threadId, [REQUEST_CONFIG_KEY]: request },
    callbacks: [usage],
    signal,
  };
  const streams = streamNodeFilter(entry.settings.stream);
  let finalState: Record<string, unknown> | undefined;
  let textMessageId: string | undefined;
  let interrupts: Interrupt[] | undefined;
  try {
    const graph = await entry.getGraph(config);
    const stream = (await graph.stream(input, {
      ...config,
      streamMode: ["messages", "values"],
      // The run's state is saved once, when it ends (or stops at an interrupt), not after
      // every step: a third less time per run on a one-node graph (bench/RESULTS.md).
      durability: "exit",
      subgraphs: true,
    })) as AsyncIterable<StreamPart>;
    for await (const [namespace, mode, payload] of stream) {
      if (mode === "messages") {
        const [message, metadata] = payload;
        if (message.getType() !== "ai" || !streams(metadata.langgraph_node)) continue;
        const text = message.text;
        if (!text) continue;
        // Two AI messages in one answer (a ReAct agent's turns) read as two paragraphs.
        if (textMessageId !== undefined && message.id !== textMessageId) yield { type: "text", text: "\n\n" };
        textMessageId = message.id;
        yield { type: "text", text };
      } else if (namespace.length === 0) {
        if ("__interrupt__" in payload) interrupts = payload.__interrupt__ as Interrupt[];
        else finalState = payload;
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
    const toolCalls = last?.getType() === "ai" ? (last as { tool_calls?: [] }).tool_calls : undefined;
    if (toolCalls?.length) yield { type: "tool_calls", toolCalls: toOpenAIToolCalls(toolCalls) };
  }
  yield { type: "usage", usage: usage.usage };
}
