/**
 * A chat model that plays a script: it streams each reply token by token (or answers it
 * whole when not streamed, as a hosted model's plain call does), can call
 * tools, reports `usage_metadata`, and honours abort signals. The example graphs and
 * the tests use it where a hosted model is out of reach.
 *
 * It keeps the promises a real model keeps about its call options (what
 * `bindChatRequest` passes it): `tool_choice` (none, required or a named tool),
 * `parallel_tool_calls: false`, `stop`, `maxTokens`, and a JSON `response_format`. A
 * reply the script wrote that breaks one of them is bent to fit, as a real model's
 * constrained decoding would: a tool it must call is called with arguments that fit
 * the tool's schema, an answer that must be JSON becomes JSON that fits the schema.
 */
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BaseChatModelParams,
  type BindToolsInput,
  type ToolChoice,
} from "@langchain/core/language_models/chat_models";
import { AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import { convertToOpenAITool } from "@langchain/core/utils/function_calling";
import { isJsonText } from "./run/json-answer.js";
import { sampleOf } from "./scripted-sample.js";
import { indexOfText } from "./text-search.js";

export interface ScriptedToolCall {
  name: string;
  args: Record<string, unknown>;
  id?: string;
}

export interface ScriptedUsage {
  input_tokens: number;
  output_tokens: number;
}

/**
 * A reply's text and tool calls; `reasoning` streams first, as reasoning models served by
 * DeepSeek or vLLM send it (`additional_kwargs.reasoning_content`); `usage` replaces the
 * counted tokens, for tests that want exact numbers.
 */
export type ScriptedReply = string | { reasoning?: string; content?: string; toolCalls?: ScriptedToolCall[]; usage?: ScriptedUsage };

/** OpenAI's `response_format`, as ChatOpenAI takes it. */
export type ScriptedResponseFormat =
  | { type: "text" }
  | { type: "json_object" }
  | { type: "json_schema"; json_schema: { name: string; schema?: Record<string, unknown>; strict?: boolean; description?: string } };

export interface ScriptedCallOptions extends BaseChatModelCallOptions {
  tools?: BindToolsInput[];
  /** LangChain's: "auto", "none", "any" (or OpenAI's "required"), a tool's name, or OpenAI's `{ type: "function", function: { name } }`. */
  tool_choice?: ToolChoice;
  /** False: at most one tool call per reply. */
  parallel_tool_calls?: boolean;
  /** Cut the reply after this many tokens, reporting `finish_reason: "length"` as ChatOpenAI does. */
  maxTokens?: number;
  response_format?: ScriptedResponseFormat;
}

export interface ScriptedChatModelInput extends BaseChatModelParams {
  /** Replies in turn, starting over after the last. */
  replies?: ScriptedReply[];
  /** Or a reply computed from the conversation (and the tools bound to the model). */
  respond?: (messages: BaseMessage[], options: ScriptedCallOptions) => ScriptedReply | Promise<ScriptedReply>;
  /** Pause before each token, as a real model's pace. */
  tokenDelayMs?: number;
}

type Reply = { reasoning: string; content: string; toolCalls: ScriptedToolCall[]; usage?: ScriptedUsage };

interface Answer {
  thoughts: string[];
  tokens: string[];
  toolCalls: (ScriptedToolCall & { id: string })[];
  usage: { input_tokens: number; output_tokens: number; total_tokens: number };
  finishReason: "stop" | "length" | "tool_calls";
}

/** Words with their trailing space: "Hello, world" -> ["Hello, ", "world"]. */
export function tokenize(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

function countTokens(messages: BaseMessage[]): number {
  return messages.reduce((sum, message) => sum + tokenize(message.text).length, 0);
}

/** The tools bound to the model, as OpenAI function definitions. */
function boundFunctions(tools: readonly BindToolsInput[] = []): { name: string; parameters?: unknown }[] {
  return tools.flatMap((tool) => {
    try {
      const { function: fn } = convertToOpenAITool(tool as Parameters<typeof convertToOpenAITool>[0]);
      return fn?.name ? [{ name: fn.name, parameters: fn.parameters }] : [];
    } catch {
      return [];
    }
  });
}

/** The tool a `tool_choice` names, if it names one. */
function namedTool(choice: ToolChoice | undefined): string | undefined {
  if (typeof choice === "string") return ["auto", "none", "any", "required"].includes(choice) ? undefined : choice;
  const named = choice as { function?: { name?: unknown }; name?: unknown } | undefined;
  const name = named?.function?.name ?? named?.name;
  return typeof name === "string" ? name : undefined;
}

/** The reply's tool calls as `tool_choice` and `parallel_tool_calls` allow them. */
function chooseTools(reply: Reply, options: ScriptedCallOptions, text: string): Reply {
  const functions = boundFunctions(options.tools);
  const call = (fn: { name: string; parameters?: unknown }): ScriptedToolCall => ({
    name: fn.name,
    args: (sampleOf(fn.parameters ?? { type: "object" }, text) ?? {}) as Record<string, unknown>,
  });
  const choice = options.tool_choice;
  const name = namedTool(choice);
  let toolCalls = reply.toolCalls;
  if (choice === "none") toolCalls = [];
  else if (name !== undefined) {
    toolCalls = toolCalls.filter((toolCall) => toolCall.name === name);
    const fn = functions.find((candidate) => candidate.name === name);
    if (toolCalls.length === 0 && fn) toolCalls = [call(fn)];
  } else if ((choice === "any" || choice === "required") && toolCalls.length === 0 && functions[0]) toolCalls = [call(functions[0])];
  if (options.parallel_tool_calls === false) toolCalls = toolCalls.slice(0, 1);
  return { ...reply, toolCalls };
}

/**
 * An answer that must be JSON is JSON: the script's, or one that fits the schema. A
 * reply that calls tools says nothing else then, as a model in JSON mode does.
 */
function answerInFormat(reply: Reply, format: ScriptedResponseFormat | undefined, text: string): Reply {
  if (!format || format.type === "text" || isJsonText(reply.content)) return reply;
  if (reply.toolCalls.length > 0) return { ...reply, content: "" };
  const value = format.type === "json_schema" ? sampleOf(format.json_schema.schema ?? { type: "object" }, text) : { answer: text };
  return { ...reply, content: JSON.stringify(value) };
}

/** The reply up to the first stop sequence; a reply that stops there never gets to its tool calls. */
function stopAt(reply: Reply, stop: string[] | undefined): Reply {
  const cuts = (stop ?? []).flatMap((sequence) => {
    const index = sequence === "" ? -1 : indexOfText(reply.content, sequence);
    return index >= 0 ? [index] : [];
  });
  if (cuts.length === 0) return reply;
  return { ...reply, content: reply.content.slice(0, Math.min(...cuts)), toolCalls: [] };
}

/**
 * The waits of one call, a hosted model's pace between tokens. One abort listener for the
 * whole call: `timers/promises`' `setTimeout` with a signal adds and removes one per wait,
 * which cost the server about 2% of its CPU on 1,000 paced streams (bench/RESULTS.md).
 */
class Pace {
  #timer: NodeJS.Timeout | undefined;
  #fail: ((reason: unknown) => void) | undefined;
  readonly #delayMs: number;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => {
    clearTimeout(this.#timer);
    this.#fail?.(this.#signal!.reason);
  };

  constructor(delayMs: number | undefined, signal: AbortSignal | undefined) {
    this.#delayMs = delayMs ?? 0;
    this.#signal = signal;
    if (this.#delayMs > 0) signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** Waits as long as `tokens` tokens take; throws the signal's reason once it aborts. */
  async wait(tokens = 1): Promise<void> {
    this.#signal?.throwIfAborted();
    if (this.#delayMs > 0) {
      await new Promise<void>((resolve, reject) => {
        this.#fail = reject;
        this.#timer = setTimeout(resolve, this.#delayMs * tokens);
      });
    }
    this.#signal?.throwIfAborted();
  }

  /** The call is over. */
  end(): void {
    clearTimeout(this.#timer);
    this.#signal?.removeEventListener("abort", this.#onAbort);
  }
}

export class ScriptedChatModel extends BaseChatModel<ScriptedCallOptions> {
  private turn = 0;
  private readonly script: ScriptedChatModelInput;

  constructor(script: ScriptedChatModelInput = {}) {
    super(script);
    this.script = script;
  }

  _llmType(): string {
    return "scripted";
  }

  override get callKeys(): string[] {
    return [...super.callKeys, "tools", "tool_choice", "parallel_tool_calls", "maxTokens", "response_format"];
  }

  override bindTools(tools: BindToolsInput[], kwargs?: Partial<ScriptedCallOptions>) {
    return this.withConfig({ ...kwargs, tools } as Partial<ScriptedCallOptions>);
  }

  private async nextReply(messages: BaseMessage[], options: ScriptedCallOptions): Promise<Reply> {
    let reply: ScriptedReply;
    if (this.script.respond) reply = await this.script.respond(messages, options);
    else {
      const replies = this.script.replies ?? ["Hello from a scripted model."];
      reply = replies[this.turn++ % replies.length]!;
    }
    const written =
      typeof reply === "string"
        ? { reasoning: "", content: reply, toolCalls: [] }
        : { reasoning: reply.reasoning ?? "", content: reply.content ?? "", toolCalls: reply.toolCalls ?? [], usage: reply.usage };
    const text = written.content || (messages.at(-1)?.text ?? "");
    return stopAt(answerInFormat(chooseTools(written, options, text), options.response_format, text), options.stop);
  }

  /** What one call answers: the reply as the call's options allow it, and its token counts. */
  private async answer(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<Answer> {
    const reply = await this.nextReply(messages, options);
    const allTokens = tokenize(reply.content);
    const truncated = options.maxTokens !== undefined && allTokens.length > options.maxTokens;
    const tokens = truncated ? allTokens.slice(0, options.maxTokens) : allTokens;
    // A reply cut short never gets to its tool calls.
    const toolCalls = (truncated ? [] : reply.toolCalls).map((call, index) => ({
      ...call,
      id: call.id ?? `call_${this.turn}_${index}_${Math.random().toString(36).slice(2, 10)}`,
    }));
    const thoughts = tokenize(reply.reasoning);
    const input = reply.usage?.input_tokens ?? countTokens(messages);
    const output = reply.usage?.output_tokens ?? thoughts.length + tokens.length + toolCalls.length;
    return {
      thoughts,
      tokens,
      toolCalls,
      usage: { input_tokens: input, output_tokens: output, total_tokens: input + output },
      finishReason: truncated ? "length" : toolCalls.length > 0 ? "tool_calls" : "stop",
    };
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const { thoughts, tokens, toolCalls, usage, finishReason } = await this.answer(messages, options);
    const pace = new Pace(this.script.tokenDelayMs, options.signal);
    try {
      for (const thought of thoughts) {
        await pace.wait();
        const chunk = new ChatGenerationChunk({ text: "", message: new AIMessageChunk({ content: "", additional_kwargs: { reasoning_content: thought } }) });
        yield chunk;
        await runManager?.handleLLMNewToken("", undefined, undefined, undefined, undefined, { chunk });
      }
      const last = tokens.length - 1;
      for (const [index, token] of tokens.entries()) {
        await pace.wait();
        const finalChunk = index === last && toolCalls.length === 0;
        const chunk = new ChatGenerationChunk({
          text: token,
          message: new AIMessageChunk({
            content: token,
            ...(finalChunk && { usage_metadata: usage, response_metadata: { finish_reason: finishReason } }),
          }),
        });
        yield chunk;
        await runManager?.handleLLMNewToken(token, undefined, undefined, undefined, undefined, { chunk });
      }
      if (toolCalls.length > 0 || tokens.length === 0) {
        options.signal?.throwIfAborted();
        const chunk = new ChatGenerationChunk({
          text: "",
          message: new AIMessageChunk({
            content: "",
            tool_call_chunks: toolCalls.map((call, index) => ({ type: "tool_call_chunk", index, id: call.id, name: call.name, args: JSON.stringify(call.args) })),
            usage_metadata: usage,
            response_metadata: { finish_reason: finishReason },
          }),
        });
        yield chunk;
        await runManager?.handleLLMNewToken("", undefined, undefined, undefined, undefined, { chunk });
      }
    } finally {
      pace.end();
    }
  }

  /**
   * Not streamed: the whole answer in one piece after the whole reply's time, as a hosted
   * model's non-streaming call. A chunk, as a streamed answer is: LangChain's default
   * `withStructuredOutput` takes nothing else.
   */
  override async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    const { thoughts, tokens, toolCalls, usage, finishReason } = await this.answer(messages, options);
    const pace = new Pace(this.script.tokenDelayMs, options.signal);
    try {
      await pace.wait(thoughts.length + tokens.length);
    } finally {
      pace.end();
    }
    const content = tokens.join("");
    const message = new AIMessageChunk({
      content,
      ...(thoughts.length > 0 && { additional_kwargs: { reasoning_content: thoughts.join("") } }),
      tool_call_chunks: toolCalls.map(({ id, name, args }, index) => ({ type: "tool_call_chunk", index, id, name, args: JSON.stringify(args) })),
      usage_metadata: usage,
      response_metadata: { finish_reason: finishReason },
    });
    return { generations: [{ text: content, message }] };
  }
}
