/**
 * OpenAI messages <-> LangChain messages, through @langchain/core's own converters:
 * `coerceMessageLikeToMessage` knows every OpenAI role (developer included) and
 * parses assistant `tool_calls`; `convertLangChainToolCallToOpenAI` goes back.
 */
import {
  AIMessage,
  coerceMessageLikeToMessage,
  FunctionMessage,
  type BaseMessage,
  type InvalidToolCall,
  type ToolCall as LangChainToolCall,
} from "@langchain/core/messages";
import { convertLangChainToolCallToOpenAI } from "@langchain/core/output_parsers/openai_tools";
import type { ClientToolCall } from "../../run/events.js";
import type { ChatRequestContext } from "../../run/request-context.js";
import type { ChatCompletionRequest, ChatMessage, ToolCall } from "./schemas.js";

type AssistantMessage = Extract<ChatMessage, { role: "assistant" }>;

/**
 * An assistant message as LangChain holds one: tool calls with parsed arguments, the
 * calls whose arguments are not JSON (the spec allows any string) as `invalid_tool_calls`,
 * a custom tool's call as @langchain/openai writes it (`args.input`, `isCustomTool`),
 * and the deprecated `function_call` in `additional_kwargs`, where ChatOpenAI looks.
 * The id is for a protocol whose messages have one (AG-UI's).
 */
export function toAIMessage(message: AssistantMessage, id?: string): AIMessage {
  const toolCalls: LangChainToolCall[] = [];
  const invalidToolCalls: InvalidToolCall[] = [];
  for (const call of message.tool_calls ?? []) {
    if (call.type === "custom") {
      toolCalls.push({ type: "tool_call", id: call.id, name: call.custom.name, args: { input: call.custom.input }, isCustomTool: true } as LangChainToolCall);
      continue;
    }
    const { name, arguments: text } = call.function;
    try {
      toolCalls.push({ type: "tool_call", id: call.id, name, args: JSON.parse(text || "{}") });
    } catch {
      invalidToolCalls.push({ type: "invalid_tool_call", id: call.id, name, args: text, error: "arguments are not valid JSON" });
    }
  }
  return new AIMessage({
    ...(id !== undefined && { id }),
    content: message.content ?? "",
    ...(message.name !== undefined && { name: message.name }),
    tool_calls: toolCalls,
    invalid_tool_calls: invalidToolCalls,
    additional_kwargs: message.function_call ? { function_call: message.function_call } : {},
  });
}

export function toLangChainMessages(messages: readonly ChatMessage[]): BaseMessage[] {
  return messages.map((message) => {
    if (message.role === "assistant") return toAIMessage(message);
    if (message.role === "function") return new FunctionMessage({ content: message.content ?? "", name: message.name });
    return coerceMessageLikeToMessage(message);
  });
}

export function toOpenAIToolCalls(toolCalls: readonly ClientToolCall[]): ToolCall[] {
  return toolCalls.map((call) => {
    const converted = convertLangChainToolCallToOpenAI(call);
    return { id: converted.id, type: "function", function: converted.function };
  });
}

/** The request as nodes read it (`getChatRequest`): everything but the messages and what the run takes elsewhere. */
export function toRequestContext(request: ChatCompletionRequest): ChatRequestContext {
  // `configurable` and `context` reach the graph where LangGraph puts them, `state` in its input (run-settings.ts).
  const { messages: _messages, stream: _stream, stream_options: _streamOptions, configurable: _configurable, context: _context, state: _state, ...rest } = request;
  return rest;
}
