/**
 * RunEvents -> OpenAI chunks, and chunks -> one chat.completion. Streaming sends the
 * chunks; the non-streamed answer is their fold, so the two can never disagree.
 */
import type { Interrupt, RunEvent, Usage as RunUsage } from "../../run/events.js";
import { toErrorBody } from "../../errors.js";
import type { SseFormat } from "../../http/respond.js";
import { toOpenAIToolCalls } from "./convert.js";
import type { ChatCompletion, ChatCompletionChunk, FinishReason, ToolCall, Usage } from "./schemas.js";

export interface CompletionMeta {
  id: string;
  created: number;
  model: string;
}

type Delta = ChatCompletionChunk["choices"][number]["delta"];

function toOpenAIUsage(usage: RunUsage): Usage {
  return { prompt_tokens: usage.input_tokens, completion_tokens: usage.output_tokens, total_tokens: usage.total_tokens };
}

/**
 * One chunk per event, the first carrying the role, then the finishing chunk and,
 * with `includeUsage`, the `choices: []` usage chunk of `stream_options.include_usage`;
 * every chunk before that one then says `usage: null`, as the spec has it.
 */
export async function* toChunks(
  events: AsyncIterable<RunEvent>,
  meta: CompletionMeta,
  includeUsage: boolean,
): AsyncGenerator<ChatCompletionChunk> {
  const chunk = (delta: Delta, finishReason: FinishReason | null = null): ChatCompletionChunk => ({
    id: meta.id,
    object: "chat.completion.chunk",
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(includeUsage && { usage: null }),
  });
  let started = false;
  let finishReason: FinishReason = "stop";
  let usage: Usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  let interrupts: Interrupt[] | undefined;
  for await (const event of events) {
    if (event.type === "usage") {
      usage = toOpenAIUsage(event.usage);
      continue;
    }
    if (event.type === "interrupt") {
      // Its question came as text; the extension field rides on the finishing chunk.
      interrupts = event.interrupts;
      continue;
    }
    if (event.type === "truncated") {
      finishReason = "length";
      continue;
    }
    if (!started) {
      started = true;
      yield chunk({ role: "assistant", content: "", refusal: null });
    }
    if (event.type === "text") {
      yield chunk({ content: event.text });
    } else if (event.type === "tool_calls") {
      finishReason = "tool_calls";
      // OpenAI's own shape, which the AI SDK and ChatOpenAI parse: a first delta per call
      // with its id, type, name and empty arguments, then the arguments by index alone.
      for (const [index, call] of toOpenAIToolCalls(event.toolCalls).entries()) {
        yield chunk({ tool_calls: [{ index, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } }] });
        yield chunk({ tool_calls: [{ index, function: { arguments: call.function.arguments } }] });
      }
    }
  }
  if (!started) yield chunk({ role: "assistant", content: "", refusal: null });
  yield { ...chunk({}, finishReason), ...(interrupts && { interrupts }) };
  if (includeUsage) yield { id: meta.id, object: "chat.completion.chunk", created: meta.created, model: meta.model, choices: [], usage };
}

/** Folds the chunks of `toChunks(events, meta, true)` into the non-streamed answer. */
export async function foldChunks(chunks: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletion> {
  let content = "";
  const toolCalls: ToolCall[] = [];
  let finishReason: FinishReason = "stop";
  let usage: Usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  let interrupts: Interrupt[] | undefined;
  let head: ChatCompletionChunk | undefined;
  for await (const chunk of chunks) {
    head ??= chunk;
    if (chunk.usage) usage = chunk.usage;
    if (chunk.interrupts) interrupts = chunk.interrupts;
    const choice = chunk.choices[0];
    if (!choice) continue;
    if (choice.delta.content) content += choice.delta.content;
    for (const delta of choice.delta.tool_calls ?? []) {
      const call = (toolCalls[delta.index] ??= { id: "", type: "function", function: { name: "", arguments: "" } });
      if (delta.id) call.id = delta.id;
      call.function.name += delta.function.name ?? "";
      call.function.arguments += delta.function.arguments ?? "";
    }
    if (choice.finish_reason) finishReason = choice.finish_reason;
  }
  if (!head) throw new Error("foldChunks: no chunks to fold");
  return {
    id: head.id,
    object: "chat.completion",
    created: head.created,
    model: head.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: content === "" && toolCalls.length > 0 ? null : content,
          refusal: null,
          ...(toolCalls.length > 0 && { tool_calls: toolCalls }),
        },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    usage,
    ...(interrupts && { interrupts }),
  };
}

/** Chat completions' SSE framing: `data:` lines, `[DONE]` at the end, and a failure as `{"error": ...}`, which openai-node and the AI SDK raise. */
export const chunkSse: SseFormat<ChatCompletionChunk> = {
  event: (chunk) => `data: ${JSON.stringify(chunk)}\n\n`,
  end: "data: [DONE]\n\n",
  error: (error) => `data: ${JSON.stringify(toErrorBody(error))}\n\n`,
};
