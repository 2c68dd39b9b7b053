/**
 * AG-UI messages <-> LangChain messages, and the rest of a `RunAgentInput` -> the request
 * context nodes read with `getChatRequest(config)`, in the shape chat completions gives
 * them, so a graph serves both protocols unchanged.
 *
 * A message keeps its AG-UI id in the thread, so the `MESSAGES_SNAPSHOT` that ends a run
 * names the client's own messages as the client does. `reasoning` and `activity`
 * messages are the client's record of what it was shown; the graph never gets them back
 * (as the Responses API leaves out reasoning items).
 */
import { coerceMessageLikeToMessage, HumanMessage, ToolMessage, type AIMessage, type BaseMessage, type MessageContent } from "@langchain/core/messages";
import { randomUUID } from "node:crypto";
import { InvalidRequestError } from "../../errors.js";
import type { ClientToolCall } from "../../run/events.js";
import type { ChatRequestContext } from "../../run/request-context.js";
import { toAIMessage, toOpenAIToolCalls } from "../chat-completions/convert.js";
import type { Message, RunAgentInput } from "./schemas.js";

type UserContent = Extract<Message, { role: "user" }>["content"];
type ContentPart = Exclude<UserContent, string>[number];

function dataUrl(source: { type: string; value: string; mimeType?: string }): string {
  return source.type === "data" ? `data:${source.mimeType ?? "application/octet-stream"};base64,${source.value}` : source.value;
}

/** A user message's parts as LangChain content blocks: text, and images as chat completions sends them. */
function toContent(content: UserContent, param: string): MessageContent {
  if (typeof content === "string") return content;
  return content.map((part: ContentPart, index) => {
    if (part.type === "text") return { type: "text", text: part.text };
    if (part.type === "image") return { type: "image_url", image_url: { url: dataUrl(part.source) } };
    throw new InvalidRequestError(`Invalid '${param}[${index}]': ${part.type} parts are not supported; send text or images.`, `${param}[${index}]`);
  });
}

function textOf(content: UserContent): string {
  return typeof content === "string" ? content : content.map((part) => (part.type === "text" ? part.text : "")).join("");
}

export function toLangChainMessages(messages: readonly Message[]): BaseMessage[] {
  return messages.flatMap((message, index): BaseMessage[] => {
    const param = `messages[${index}].content`;
    switch (message.role) {
      case "user":
        return [new HumanMessage({ id: message.id, content: toContent(message.content, param), ...(message.name !== undefined && { name: message.name }) })];
      case "system":
      case "developer":
        return [coerceMessageLikeToMessage({ role: message.role, id: message.id, content: message.content } as never)];
      case "assistant":
        // Chat completions' converter knows tool calls whose arguments are not JSON.
        return [toAIMessage({ role: "assistant", content: message.content, tool_calls: message.toolCalls, ...(message.name !== undefined && { name: message.name }) }, message.id)];
      case "tool":
        return [new ToolMessage({ id: message.id, content: textOf(message.content), tool_call_id: message.toolCallId, ...(message.error !== undefined && { status: "error" as const }) })];
      case "reasoning":
      case "activity":
        return [];
    }
  });
}

/** A LangChain user message's content as AG-UI parts: text, and images by URL or as data. */
function toParts(content: MessageContent): UserContent {
  if (typeof content === "string") return content;
  return content.flatMap((block): ContentPart[] => {
    if (block.type === "text" && typeof block.text === "string") return [{ type: "text", text: block.text }];
    if (block.type === "image_url") {
      const url = typeof block.image_url === "string" ? block.image_url : (block.image_url as { url: string }).url;
      const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
      return [{ type: "image", source: data ? { type: "data", mimeType: data[1]!, value: data[2]! } : { type: "url", value: url } }];
    }
    return [];
  });
}

/** The thread's messages as AG-UI's `MESSAGES_SNAPSHOT` lists them. */
export function toAgUiMessages(messages: readonly BaseMessage[]): Message[] {
  return messages.flatMap((message): Message[] => {
    const id = message.id ?? randomUUID();
    switch (message.getType()) {
      case "human":
        return [{ id, role: "user", content: toParts(message.content), ...(message.name !== undefined && { name: message.name }) }];
      case "system":
        return [{ id, role: message.additional_kwargs.__openai_role__ === "developer" ? "developer" : "system", content: message.text }];
      case "ai": {
        const calls = ((message as AIMessage).tool_calls ?? []).filter((call): call is ClientToolCall => call.id !== undefined);
        return [{ id, role: "assistant", content: message.text, ...(calls.length > 0 && { toolCalls: toOpenAIToolCalls(calls) }) }];
      }
      case "tool": {
        const tool = message as ToolMessage;
        return [{ id, role: "tool", content: tool.text, toolCallId: tool.tool_call_id, ...(tool.status === "error" && { error: tool.text }) }];
      }
      default:
        return [];
    }
  });
}

/**
 * The request as nodes read it: the client's tools are the chat request's, which
 * `bindChatRequest` binds; AG-UI's `context` entries (what the front end lets the agent
 * know, `{ description, value }`) are `agui_context`.
 */
export function toRequestContext(input: RunAgentInput, model: string): ChatRequestContext {
  const tools = input.tools.map((tool) => ({
    type: "function" as const,
    function: { name: tool.name, description: tool.description, ...(tool.parameters !== undefined && { parameters: tool.parameters }) },
  }));
  return { model, ...(tools.length > 0 && { tools }), ...(input.context.length > 0 && { agui_context: input.context }) };
}
