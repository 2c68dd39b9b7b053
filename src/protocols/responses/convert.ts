/**
 * Responses input items -> LangChain messages, and the request's options -> the request
 * context nodes read with `getChatRequest(config)`, in the same shape chat completions
 * gives them, so a graph serves both APIs unchanged.
 *
 * A turn of the assistant is one AIMessage, as chat clients send it: the `message` and
 * `function_call` items between two inputs of the client's become one message with its
 * text and tool calls (reasoning items, the agent's steps, are not given back to it).
 */
import { AIMessage, coerceMessageLikeToMessage, SystemMessage, ToolMessage, type BaseMessage, type ToolCall } from "@langchain/core/messages";
import { InvalidRequestError, NotFoundError } from "../../errors.js";
import type { ChatRequestContext } from "../../run/request-context.js";
import { INSTRUCTIONS_MESSAGE_ID } from "../../threads/plan.js";
import { flatName, namespacedFunctions } from "./namespaces.js";
import type { ItemRef } from "./response-id.js";
import type { CreateResponseRequest, FunctionTool, InputContent, InputItem, OutputItem, ToolChoice } from "./schemas.js";

/** An item id this server signed, and the stored item it names (undefined once its response is gone). */
export interface ResolvedItem {
  ref: ItemRef;
  item: OutputItem | undefined;
}

/** Looks up the item ids of a request: ours resolve, any other id resolves to undefined. */
export type ItemResolver = (id: string) => Promise<ResolvedItem | undefined>;

export interface ConvertedInput {
  messages: BaseMessage[];
  /** The stored response that the last item with one of our ids belongs to: the conversation so far lives on its thread. */
  anchor?: ItemRef;
}

type ChatPart = Record<string, unknown>;

function toChatPart(part: InputContent, param: string): ChatPart {
  switch (part.type) {
    case "input_text":
      return { type: "text", text: part.text };
    case "input_image":
      if (!part.image_url) throw new InvalidRequestError(`Invalid '${param}': images by file_id are not supported; send image_url.`, param);
      return { type: "image_url", image_url: { url: part.image_url, ...(part.detail && part.detail !== "original" && { detail: part.detail }) } };
    case "input_file":
      if (part.file_url) return { type: "file", url: part.file_url, ...(part.filename && { filename: part.filename }) };
      return { type: "file", file: { ...(part.file_data && { file_data: part.file_data }), ...(part.file_id && { file_id: part.file_id }), ...(part.filename && { filename: part.filename }) } };
  }
}

function textOf(content: string | readonly { type: string; text?: string }[], param: string): string {
  if (typeof content === "string") return content;
  return content
    .map((part, index) => {
      if (part.type === "input_text" || part.type === "output_text") return part.text ?? "";
      if (part.type === "refusal") return "";
      throw new InvalidRequestError(`Invalid '${param}[${index}]': only text is supported here.`, `${param}[${index}]`);
    })
    .join("");
}

function parseArguments(text: string, param: string): Record<string, unknown> {
  try {
    const args: unknown = JSON.parse(text || "{}");
    if (args !== null && typeof args === "object" && !Array.isArray(args)) return args as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new InvalidRequestError(`Invalid '${param}': not a JSON object.`, param);
}

/** A stored output item, as the input item a client would have sent for it. */
function asInputItem(item: OutputItem): InputItem {
  if (item.type === "message") return { type: "message", role: "assistant", id: item.id, content: item.content.map(({ type, text }) => ({ type, text })) };
  if (item.type === "function_call") {
    return { type: "function_call", id: item.id, call_id: item.call_id, name: item.name, namespace: item.namespace, arguments: item.arguments };
  }
  return { type: "reasoning", id: item.id, summary: item.summary };
}

function idOf(item: InputItem): string | undefined {
  if (item.type === "item_reference") return item.id;
  return "id" in item && typeof item.id === "string" ? item.id : undefined;
}

export async function toLangChainMessages(input: CreateResponseRequest["input"], resolve: ItemResolver): Promise<ConvertedInput> {
  if (input === undefined) return { messages: [] };
  if (typeof input === "string") return { messages: [coerceMessageLikeToMessage({ role: "user", content: input })] };
  const messages: BaseMessage[] = [];
  let anchor: ItemRef | undefined;
  // The assistant's turn being gathered: its text and the calls it made.
  let turn: { texts: string[]; calls: ToolCall[] } | undefined;
  const endTurn = () => {
    if (turn) messages.push(new AIMessage({ content: turn.texts.join("\n\n"), tool_calls: turn.calls }));
    turn = undefined;
  };

  for (const [index, given] of input.entries()) {
    const param = `input[${index}]`;
    const id = idOf(given);
    const resolved = id === undefined ? undefined : await resolve(id);
    if (resolved) anchor = resolved.ref;
    let item = given;
    if (given.type === "item_reference") {
      if (!resolved?.item) throw new NotFoundError(`Item with id '${given.id}' not found.`, null, param);
      item = asInputItem(resolved.item);
    }

    if (item.type === "reasoning") continue;
    if (item.type === "message" && item.role === "assistant") {
      turn ??= { texts: [], calls: [] };
      turn.texts.push(textOf(item.content, `${param}.content`));
      continue;
    }
    if (item.type === "function_call") {
      turn ??= { texts: [], calls: [] };
      const name = item.namespace ? flatName(item.namespace, item.name) : item.name;
      turn.calls.push({ type: "tool_call", id: item.call_id, name, args: parseArguments(item.arguments, `${param}.arguments`) });
      continue;
    }
    endTurn();
    if (item.type === "function_call_output") {
      const content = typeof item.output === "string" ? item.output : item.output.map((part, i) => toChatPart(part, `${param}.output[${i}]`));
      messages.push(new ToolMessage({ tool_call_id: item.call_id, content: content as ToolMessage["content"] }));
    } else if (item.type === "message") {
      const content =
        item.role === "user" && typeof item.content !== "string"
          ? item.content.map((part, i) => toChatPart(part, `${param}.content[${i}]`))
          : textOf(item.content, `${param}.content`);
      messages.push(coerceMessageLikeToMessage({ role: item.role, content } as never));
    }
  }
  endTurn();
  return { messages, anchor };
}

/** Instructions as the first message of a conversation the client sends whole (`plan.ts` replaces them by this id). */
export function instructionsMessage(instructions: string): SystemMessage {
  return new SystemMessage({ id: INSTRUCTIONS_MESSAGE_ID, content: instructions });
}

function chatTool(tool: FunctionTool) {
  return {
    type: "function" as const,
    function: {
      name: tool.name,
      ...(tool.description != null && { description: tool.description }),
      ...(tool.parameters != null && { parameters: tool.parameters }),
      ...(tool.strict != null && { strict: tool.strict }),
    },
  };
}

function chatToolChoice(choice: ToolChoice | undefined): ChatRequestContext["tool_choice"] {
  if (choice === undefined || typeof choice === "string") return choice;
  if (choice.type === "function") return { type: "function", function: { name: choice.name } };
  return choice.mode;
}

const TEXT_FORMATS = {
  text: () => ({ type: "text" as const }),
  json_object: () => ({ type: "json_object" as const }),
};

/**
 * The request as nodes read it with `getChatRequest(config)`: the same keys as a chat
 * completion's, so a graph written for one API serves the other. Only function tools
 * reach the graph, namespaced ones by their flat names (`namespaces.ts`; OpenAI's hosted
 * tools are OpenAI's to run); `allowed_tools` narrows
 * them. The one place this mapping lives.
 */
export function toRequestContext(request: CreateResponseRequest): ChatRequestContext {
  const given = request.tools ?? [];
  const flattened = namespacedFunctions(given).map(({ flat, tool }) => ({ ...tool, type: "function" as const, name: flat }) as FunctionTool);
  let tools = [...given.filter((tool): tool is FunctionTool => tool.type === "function"), ...flattened];
  const choice = request.tool_choice;
  if (choice !== undefined && typeof choice !== "string" && choice.type === "allowed_tools") {
    const allowed = new Set(choice.tools.map((tool) => tool.name));
    tools = tools.filter((tool) => allowed.has(tool.name));
  }
  const format = request.text?.format;
  const maxTokens = request.max_output_tokens ?? undefined;
  return {
    model: request.model,
    ...(tools.length > 0 && { tools: tools.map(chatTool) }),
    ...(choice !== undefined && { tool_choice: chatToolChoice(choice) }),
    ...(request.parallel_tool_calls != null && { parallel_tool_calls: request.parallel_tool_calls }),
    ...(request.temperature != null && { temperature: request.temperature }),
    ...(request.top_p != null && { top_p: request.top_p }),
    ...(maxTokens !== undefined && { max_tokens: maxTokens, max_completion_tokens: maxTokens }),
    ...(request.user !== undefined && { user: request.user }),
    ...(request.metadata != null && { metadata: request.metadata }),
    ...(request.reasoning?.effort != null && { reasoning_effort: request.reasoning.effort }),
    ...(format &&
      (format.type === "json_schema"
        ? {
            response_format: {
              type: "json_schema" as const,
              json_schema: { name: format.name, schema: format.schema, ...(format.strict != null && { strict: format.strict }), ...(format.description != null && { description: format.description }) },
            },
          }
        : { response_format: TEXT_FORMATS[format.type]() })),
  };
}
