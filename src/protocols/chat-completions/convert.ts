/**
 * OpenAI messages <-> LangChain messages, through @langchain/core's own converters:
 * `coerceMessageLikeToMessage` knows every OpenAI role (developer included) and
 * parses assistant `tool_calls`; `convertLangChainToolCallToOpenAI` goes back.
 */
import { coerceMessageLikeToMessage, type BaseMessage } from "@langchain/core/messages";
import { convertLangChainToolCallToOpenAI } from "@langchain/core/output_parsers/openai_tools";
import { InvalidRequestError } from "../../errors.js";
import type { ClientToolCall } from "../../run/events.js";
import type { ChatMessage, ToolCall } from "./schemas.js";

export function toLangChainMessages(messages: readonly ChatMessage[]): BaseMessage[] {
  return messages.map((message, index) => {
    if (message.role === "assistant") {
      message.tool_calls?.forEach((call, callIndex) => {
        try {
          JSON.parse(call.function.arguments || "{}");
        } catch {
          const param = `messages[${index}].tool_calls[${callIndex}].function.arguments`;
          throw new InvalidRequestError(`Invalid '${param}': not valid JSON.`, param);
        }
      });
      const toolCalls = message.tool_calls?.map((call) => ({
        ...call,
        function: { ...call.function, arguments: call.function.arguments || "{}" },
      }));
      return coerceMessageLikeToMessage({ ...message, content: message.content ?? "", tool_calls: toolCalls });
    }
    return coerceMessageLikeToMessage(message);
  });
}

export function toOpenAIToolCalls(toolCalls: readonly ClientToolCall[]): ToolCall[] {
  return toolCalls.map((call) => {
    const converted = convertLangChainToolCallToOpenAI(call);
    return { id: converted.id, type: "function", function: converted.function };
  });
}
