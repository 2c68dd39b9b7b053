/**
 * A chat model that plays a script: it streams each reply token by token, can call
 * tools, reports `usage_metadata`, and honours abort signals. The example graphs and
 * the tests use it where a hosted model is out of reach.
 */
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { BaseChatModel, type BaseChatModelCallOptions, type BaseChatModelParams, type BindToolsInput } from "@langchain/core/language_models/chat_models";
import { AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import { setTimeout as sleep } from "node:timers/promises";

export interface ScriptedToolCall {
  name: string;
  args: Record<string, unknown>;
  id?: string;
}

export interface ScriptedUsage {
  input_tokens: number;
  output_tokens: number;
}

/** A reply's text and tool calls; `usage` replaces the counted tokens, for tests that want exact numbers. */
export type ScriptedReply = string | { content?: string; toolCalls?: ScriptedToolCall[]; usage?: ScriptedUsage };

export interface ScriptedCallOptions extends BaseChatModelCallOptions {
  tools?: BindToolsInput[];
  /** Cut the reply after this many tokens, reporting `finish_reason: "length"` as ChatOpenAI does. */
  maxTokens?: number;
}

export interface ScriptedChatModelInput extends BaseChatModelParams {
  /** Replies in turn, starting over after the last. */
  replies?: ScriptedReply[];
  /** Or a reply computed from the conversation (and the tools bound to the model). */
  respond?: (messages: BaseMessage[], options: ScriptedCallOptions) => ScriptedReply | Promise<ScriptedReply>;
  /** Pause before each token, as a real model's pace. */
  tokenDelayMs?: number;
}

/** Words with their trailing space: "Hello, world" -> ["Hello, ", "world"]. */
export function tokenize(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

function countTokens(messages: BaseMessage[]): number {
  return messages.reduce((sum, message) => sum + tokenize(message.text).length, 0);
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

  override bindTools(tools: BindToolsInput[]) {
    return this.withConfig({ tools } as Partial<ScriptedCallOptions>);
  }

  private async nextReply(
    messages: BaseMessage[],
    options: ScriptedCallOptions,
  ): Promise<{ content: string; toolCalls: ScriptedToolCall[]; usage?: ScriptedUsage }> {
    let reply: ScriptedReply;
    if (this.script.respond) reply = await this.script.respond(messages, options);
    else {
      const replies = this.script.replies ?? ["Hello from a scripted model."];
      reply = replies[this.turn++ % replies.length]!;
    }
    return typeof reply === "string"
      ? { content: reply, toolCalls: [] }
      : { content: reply.content ?? "", toolCalls: reply.toolCalls ?? [], usage: reply.usage };
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const reply = await this.nextReply(messages, options);
    const { usage } = reply;
    const allTokens = tokenize(reply.content);
    const truncated = options.maxTokens !== undefined && allTokens.length > options.maxTokens;
    const tokens = truncated ? allTokens.slice(0, options.maxTokens) : allTokens;
    // A reply cut short never gets to its tool calls.
    const toolCalls = truncated ? [] : reply.toolCalls;
    const inputTokens = usage?.input_tokens ?? countTokens(messages);
    const outputTokens = usage?.output_tokens ?? tokens.length + toolCalls.length;
    const last = tokens.length - 1;
    for (const [index, token] of tokens.entries()) {
      if (this.script.tokenDelayMs) await sleep(this.script.tokenDelayMs, undefined, { signal: options.signal });
      options.signal?.throwIfAborted();
      const finalChunk = index === last && toolCalls.length === 0;
      const chunk = new ChatGenerationChunk({
        text: token,
        message: new AIMessageChunk({
          content: token,
          ...(finalChunk && {
            usage_metadata: { input_tokens: inputTokens, output_tokens: outputTokens, total_tokens: inputTokens + outputTokens },
            response_metadata: { finish_reason: truncated ? "length" : "stop" },
          }),
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
          tool_call_chunks: toolCalls.map((call, index) => ({
            type: "tool_call_chunk",
            index,
            id: call.id ?? `call_${this.turn}_${index}_${Math.random().toString(36).slice(2, 10)}`,
            name: call.name,
            args: JSON.stringify(call.args),
          })),
          usage_metadata: { input_tokens: inputTokens, output_tokens: outputTokens, total_tokens: inputTokens + outputTokens },
        }),
      });
      yield chunk;
      await runManager?.handleLLMNewToken("", undefined, undefined, undefined, undefined, { chunk });
    }
  }

  override async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"], runManager?: CallbackManagerForLLMRun): Promise<ChatResult> {
    let aggregate: ChatGenerationChunk | undefined;
    for await (const chunk of this._streamResponseChunks(messages, options, runManager)) {
      aggregate = aggregate ? aggregate.concat(chunk) : chunk;
    }
    return { generations: aggregate ? [{ text: aggregate.text, message: aggregate.message }] : [] };
  }
}
