/**
 * RunEvents -> OpenAI chunks, and chunks -> one chat.completion. Streaming sends the
 * chunks; the non-streamed answer is their fold, so the two can never disagree.
 */
import { describeStep } from "../../run/describe-step.js";
import type { Interrupt, RunEvent, Usage as RunUsage } from "../../run/events.js";
import { ClientClosedError, toApiError, toErrorBody, type ApiError } from "../../errors.js";
import type { SseFormat } from "../../http/respond.js";
import { toOpenAIToolCalls } from "./convert.js";
import { sourceEvent, statusEvent, StatusLine, urlAnnotation } from "./open-webui.js";
import type { Annotation, ChatCompletion, ChatCompletionChunk, FinishReason, OpenWebUIEvent, ToolCall, Usage } from "./schemas.js";

export interface CompletionMeta {
  id: string;
  created: number;
  model: string;
}

type Delta = ChatCompletionChunk["choices"][number]["delta"];

function toOpenAIUsage(usage: RunUsage): Usage {
  return { prompt_tokens: usage.input_tokens, completion_tokens: usage.output_tokens, total_tokens: usage.total_tokens };
}

export interface RenderOptions {
  /** Send the `choices: []` usage chunk of `stream_options.include_usage` (always, for the fold). */
  includeUsage: boolean;
  /** Open WebUI's extras: status lines while the answer waits, and citations (see `open-webui.ts`). */
  openWebUI?: boolean;
  /** The reasoning in `content`, inside `<think>...</think>`, for UIs that read only tags. */
  thinkTags?: boolean;
  /**
   * With it, a failed stream's `content` ends with a short notice, for UIs that drop the
   * error event; it words the failure as the client may read it (the route's `forClient`).
   */
  errorNotice?: (error: ApiError) => string;
}

const THINK_OPEN = "<think>\n";
const THINK_CLOSE = "\n</think>\n\n";

/**
 * The blank line before the next step in `reasoning_content`: each step is a paragraph of
 * its own (Markdown joins single lines), and a model's reasoning after a step starts a new
 * one. It goes in the same chunk as the step's line: NextChat quotes reasoning as `> `
 * lines and opens a quoted paragraph only at a blank line inside one chunk, so a blank
 * line split over two chunks ends its quote and the next step reads as the answer.
 */
function reasoningSeparator(before: string, next: "step" | "model", afterStep: boolean): string {
  if (before === "" || before.endsWith("\n\n")) return "";
  if (next === "model" && !afterStep) return "";
  return "\n\n";
}

/**
 * One chunk per event, the first carrying the role, then the finishing chunk and,
 * with `includeUsage`, the `choices: []` usage chunk of `stream_options.include_usage`;
 * every chunk before that one then says `usage: null`, as the spec has it. The answer is
 * `content`; what the agent does on the way is `reasoning_content`.
 */
export async function* toChunks(
  events: AsyncIterable<RunEvent>,
  meta: CompletionMeta,
  options: RenderOptions,
): AsyncGenerator<ChatCompletionChunk> {
  const head = { id: meta.id, object: "chat.completion.chunk" as const, created: meta.created, model: meta.model };
  const chunk = (delta: Delta, finishReason: FinishReason | null = null): ChatCompletionChunk => ({
    ...head,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(options.includeUsage && { usage: null }),
  });
  const eventChunk = (event: OpenWebUIEvent): ChatCompletionChunk => ({ ...head, choices: [], ...(options.includeUsage && { usage: null }), event });
  const status = options.openWebUI ? new StatusLine() : undefined;
  let started = false;
  const start = () => {
    started = true;
    return chunk({ role: "assistant", content: "", refusal: null });
  };
  let finishReason: FinishReason = "stop";
  let usage: Usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  let interrupts: Interrupt[] | undefined;
  /** The end of the reasoning sent so far, for the separators, and whether a step wrote it. */
  let reasoningTail = "";
  let afterStep = false;
  let contentLength = 0;
  /** With `thinkTags`: a `<think>` block is open in `content`. */
  let thinking = false;
  const closeThink = () => {
    thinking = false;
    return chunk({ content: THINK_CLOSE });
  };
  try {
    for await (const event of events) {
      const line = status?.next(event);
      if (line) yield eventChunk(statusEvent(line));
      switch (event.type) {
        case "usage":
          usage = toOpenAIUsage(event.usage);
          break;
        case "interrupt":
          // Its question came as text; the extension field rides on the finishing chunk.
          interrupts = event.interrupts;
          break;
        case "truncated":
          finishReason = "length";
          break;
        case "text":
          if (!started) yield start();
          if (thinking) yield closeThink();
          contentLength += event.text.length;
          yield chunk({ content: event.text });
          break;
        case "reasoning":
        case "step": {
          if (!started) yield start();
          const text = event.type === "step" ? describeStep(event.step) : event.text;
          const reasoning = reasoningSeparator(reasoningTail, event.type === "step" ? "step" : "model", afterStep) + text;
          reasoningTail = (reasoningTail + reasoning).slice(-2);
          afterStep = event.type === "step";
          if (!options.thinkTags) {
            yield chunk({ reasoning_content: reasoning });
          } else {
            const open = thinking ? "" : THINK_OPEN;
            thinking = true;
            yield chunk({ content: open + reasoning });
          }
          break;
        }
        case "citation":
          if (!options.openWebUI) break;
          if (event.citation.url === undefined) {
            yield eventChunk(sourceEvent(event.citation));
          } else {
            if (!started) yield start();
            yield chunk({ annotations: [urlAnnotation({ ...event.citation, url: event.citation.url }, contentLength)] });
          }
          break;
        case "tool_calls":
          if (!started) yield start();
          if (thinking) yield closeThink();
          finishReason = "tool_calls";
          // OpenAI's own shape, which the AI SDK and ChatOpenAI parse: a first delta per call
          // with its id, type, name and empty arguments, then the arguments by index alone.
          for (const [index, call] of toOpenAIToolCalls(event.toolCalls).entries()) {
            yield chunk({ tool_calls: [{ index, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } }] });
            yield chunk({ tool_calls: [{ index, function: { arguments: call.function.arguments } }] });
          }
          break;
        case "queued":
        case "started":
          break;
      }
    }
  } catch (error) {
    const apiError = toApiError(error);
    // A client that left reads nothing more.
    if (options.errorNotice && !(apiError instanceof ClientClosedError)) {
      if (!started) yield start();
      if (thinking) yield closeThink();
      yield chunk({ content: `${contentLength > 0 ? "\n\n" : ""}⚠️ The answer stopped here: ${options.errorNotice(apiError)}` });
    }
    throw error;
  }
  if (thinking) yield closeThink();
  const cleared = status?.end();
  if (cleared) yield eventChunk(statusEvent(cleared));
  if (!started) yield start();
  yield { ...chunk({}, finishReason), ...(interrupts && { interrupts }) };
  if (options.includeUsage) yield { ...head, choices: [], usage };
}

/** Folds the chunks of `toChunks(events, meta, { includeUsage: true })` into the non-streamed answer. */
export async function foldChunks(chunks: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletion> {
  let content = "";
  let reasoning = "";
  const toolCalls: ToolCall[] = [];
  const annotations: Annotation[] = [];
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
    if (choice.delta.reasoning_content) reasoning += choice.delta.reasoning_content;
    if (choice.delta.annotations) annotations.push(...choice.delta.annotations);
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
          ...(reasoning && { reasoning_content: reasoning }),
          ...(toolCalls.length > 0 && { tool_calls: toolCalls }),
          ...(annotations.length > 0 && { annotations }),
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
