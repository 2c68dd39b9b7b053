/**
 * `bindChatRequest(model, config)`: a node's chat model bound with what the client asked
 * for, so the request takes effect inside the graph: the client's `tools` with its
 * `tool_choice` and `parallel_tool_calls`, `stop`, `max_tokens`/`max_completion_tokens`,
 * `temperature`, `top_p`, the penalties, `seed` and `response_format`. The result is
 * still a chat model runnable whose output is an AI message, so a node keeps its shape:
 *
 *   const answer = await bindChatRequest(model, config).invoke(state.messages, config);
 *
 * LangChain chat models take these options in two ways. Call options: `stop` for every
 * model, tools through `bindTools(tools, { tool_choice, parallel_tool_calls })`, and
 * what a model lists in its `callKeys` (ChatOpenAI's `response_format` and `seed`, the
 * ScriptedChatModel's `maxTokens`). Constructor fields (ChatOpenAI's `temperature`,
 * `topP`, `maxTokens`, penalties): set on a copy of the model built from the same
 * fields, as ChatOpenAI's own `withConfig` builds one. A `json_schema` response format
 * reaches a model without a `response_format` option through its `withStructuredOutput`,
 * or, where that is LangChain's base implementation (which lets the model answer in
 * prose), as a tool `tool_choice` forces (JSON mode too, with an object schema); either
 * way it comes back as the message's JSON text. What a model cannot take is dropped with
 * a debug log, never an error.
 */
import type { BaseLanguageModelInput } from "@langchain/core/language_models/base";
import type { BaseChatModel, BindToolsInput, ToolChoice } from "@langchain/core/language_models/chat_models";
import { AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import { RunnableLambda, type Runnable, type RunnableConfig } from "@langchain/core/runnables";
import { toolName } from "./chat-request-schema.js";
import { isJsonText } from "./json-answer.js";
import { getChatRequest, getRequestLog, type ChatRequestContext } from "./request-context.js";

export interface BindChatRequestOptions {
  /** The graph's own tools, bound before the client's. */
  tools?: BindToolsInput[];
  /**
   * Whether the client's `tools` (with its `tool_choice` and `parallel_tool_calls`) are
   * bound; true by default. A graph that runs every tool call itself, as LangGraph's
   * `createReactAgent` does, says false: it could not hand a client's call back.
   */
  clientTools?: boolean;
}

/** What `bindChatRequest` returns: a chat model runnable, its output an AI message. */
export type ChatModelRunnable = Runnable<BaseLanguageModelInput, AIMessageChunk>;

type ClientTool = NonNullable<ChatRequestContext["tools"]>[number];
type ClientToolChoice = NonNullable<ChatRequestContext["tool_choice"]>;
type JsonSchemaFormat = Extract<NonNullable<ChatRequestContext["response_format"]>, { type: "json_schema" }>["json_schema"];
type Drop = (param: string, reason: string) => void;

/** A sampling option, and the names LangChain's chat models give it (call option or field). */
interface Setting {
  param: string;
  value: (request: ChatRequestContext) => number | undefined;
  names: string[];
}

const SETTINGS: Setting[] = [
  { param: "temperature", value: (request) => request.temperature, names: ["temperature"] },
  { param: "top_p", value: (request) => request.top_p, names: ["topP", "top_p"] },
  {
    param: "max_tokens",
    value: (request) => request.max_completion_tokens ?? request.max_tokens,
    // OpenAI, Anthropic, Mistral, Groq; ChatOpenAI's alias; Google; Ollama.
    names: ["maxTokens", "maxCompletionTokens", "maxOutputTokens", "numPredict", "max_tokens"],
  },
  { param: "frequency_penalty", value: (request) => request.frequency_penalty, names: ["frequencyPenalty", "frequency_penalty"] },
  { param: "presence_penalty", value: (request) => request.presence_penalty, names: ["presencePenalty", "presence_penalty"] },
  { param: "seed", value: (request) => request.seed, names: ["seed"] },
];

/**
 * OpenAI's `tool_choice` in LangChain's terms, which every provider's `bindTools`
 * translates: "auto", "none", "any" (OpenAI's "required") or a tool's name. OpenAI's
 * `allowed_tools` becomes the allowed tools alone, with "auto" or "any".
 */
function toLangChainToolChoice(choice: ClientToolChoice | undefined, tools: ClientTool[]): { tools: ClientTool[]; choice?: ToolChoice } {
  if (choice === undefined) return { tools };
  if (choice === "required") return { tools, choice: "any" };
  if (typeof choice === "string") return { tools, choice };
  if (choice.type === "allowed_tools") {
    const allowed = new Set(choice.allowed_tools.tools.map((tool) => toolName(tool)));
    return { tools: tools.filter((tool) => allowed.has(toolName(tool))), choice: choice.allowed_tools.mode === "required" ? "any" : "auto" };
  }
  return { tools, choice: String(toolName(choice)) };
}

/**
 * A copy of `model` with some constructor fields changed: the class's own constructor
 * on the fields it was built from (ChatOpenAI keeps them as `fields`, every LangChain
 * model as `lc_kwargs`). Undefined when the copy cannot be made or does not take them.
 */
function withFields(model: BaseChatModel, values: Record<string, number>, drop: Drop, params: Record<string, string>): BaseChatModel {
  const source = ((model as { fields?: Record<string, unknown> }).fields ?? model.lc_kwargs ?? {}) as Record<string, unknown>;
  let copy: BaseChatModel | undefined;
  try {
    const Model = model.constructor as new (fields: Record<string, unknown>) => BaseChatModel;
    copy = new Model({ ...source, ...values });
    // Call options a ChatOpenAI was given with `withConfig` (it keeps them on the instance).
    if ("defaultOptions" in model) Object.assign(copy, { defaultOptions: model.defaultOptions });
  } catch (error) {
    for (const param of new Set(Object.values(params))) drop(param, `${model.getName()} could not be copied with it (${String(error)})`);
    return model;
  }
  for (const [field, value] of Object.entries(values)) {
    if (field in model && (copy as unknown as Record<string, unknown>)[field] !== value) {
      drop(params[field]!, `${model.getName()} did not take its '${field}' field`);
    }
  }
  return copy;
}

/**
 * Whether `model` keeps LangChain's own `withStructuredOutput`, which binds the schema as
 * a tool without forcing it: a model may then answer in prose. By the name of the class
 * that defines it, so that a model made with another copy of @langchain/core is known too.
 */
function hasBaseStructuredOutput(model: BaseChatModel): boolean {
  let owner: object | null = model;
  while (owner !== null && !Object.hasOwn(owner, "withStructuredOutput")) owner = Object.getPrototypeOf(owner) as object | null;
  return owner !== model && owner?.constructor.name === "BaseChatModel";
}

/** The tool a JSON answer without a schema (`json_object`) is forced through: any object. */
const JSON_OBJECT_TOOL: JsonSchemaFormat = { name: "json_answer", description: "Answer with a JSON object.", schema: { type: "object", additionalProperties: true } };

/**
 * A JSON answer the model cannot refuse: the schema bound as its one tool with
 * `tool_choice` forced to it, the call's arguments written back as the message's text.
 * A model that still answers without the call answers as it did.
 */
function forcedToolAnswer(model: BaseChatModel, format: JsonSchemaFormat): ChatModelRunnable {
  const tool = { type: "function" as const, function: { name: format.name, description: format.description, parameters: format.schema ?? { type: "object" } } };
  const toMessage = RunnableLambda.from((message: AIMessageChunk): AIMessageChunk => {
    const call = message.tool_calls?.find((candidate) => candidate.name === format.name);
    if (!call) return message;
    return new AIMessageChunk({ content: JSON.stringify(call.args), response_metadata: message.response_metadata });
  });
  return (model.bindTools!([tool], { tool_choice: format.name }) as ChatModelRunnable).pipe(toMessage);
}

/**
 * A `json_schema` answer from a model without a `response_format` option: its own
 * `withStructuredOutput`, and the parsed value written back as the message's text (the
 * raw message itself when its text is the JSON already, as it streamed). A model that
 * keeps LangChain's base implementation gets the schema as a forced tool instead.
 */
function structuredAnswer(model: BaseChatModel, format: JsonSchemaFormat): ChatModelRunnable {
  if (hasBaseStructuredOutput(model) && typeof model.bindTools === "function") return forcedToolAnswer(model, format);
  const structured = model.withStructuredOutput(format.schema ?? {}, { name: format.name, includeRaw: true });
  const toMessage = RunnableLambda.from(({ raw, parsed }: { raw: BaseMessage; parsed: unknown }): AIMessageChunk => {
    if (parsed == null || isJsonText(raw.text)) return raw as AIMessageChunk;
    return new AIMessageChunk({ content: JSON.stringify(parsed), response_metadata: raw.response_metadata });
  });
  return structured.pipe(toMessage);
}

/** `model` bound with the chat request in `config` (see the module's comment); `model` itself outside the server. */
export function bindChatRequest(model: BaseChatModel, config: RunnableConfig | undefined, options: BindChatRequestOptions = {}): ChatModelRunnable {
  const request = getChatRequest(config);
  const log = getRequestLog(config);
  const name = model.getName();
  const drop: Drop = (param, reason) => log?.debug({ param, chatModel: name }, `bindChatRequest: '${param}' dropped: ${reason}`);
  const callKeys = new Set(model.callKeys);
  const callOptions: Record<string, unknown> = {};
  const fields: Record<string, number> = {};
  const fieldParams: Record<string, string> = {};

  if (request?.stop !== undefined) callOptions.stop = typeof request.stop === "string" ? [request.stop] : request.stop;
  for (const setting of SETTINGS) {
    const value = request && setting.value(request);
    if (value === undefined) continue;
    const option = setting.names.find((candidate) => callKeys.has(candidate));
    if (option) {
      callOptions[option] = value;
      continue;
    }
    const source = ((model as { fields?: object }).fields ?? model.lc_kwargs ?? {}) as object;
    const matches = setting.names.filter((candidate) => candidate in model || candidate in source);
    if (matches.length === 0) drop(setting.param, `${name} has no such option or field`);
    for (const field of matches) {
      fields[field] = value;
      fieldParams[field] = setting.param;
    }
  }

  let structured: JsonSchemaFormat | undefined;
  const format = request?.response_format;
  if (format && format.type !== "text") {
    if (callKeys.has("response_format")) callOptions.response_format = format;
    else if (format.type === "json_schema" && typeof model.withStructuredOutput === "function") structured = format.json_schema;
    // JSON mode names no schema: a model whose tools can be forced gets an object-shaped one.
    else if (format.type === "json_object" && hasBaseStructuredOutput(model) && typeof model.bindTools === "function") structured = JSON_OBJECT_TOOL;
    else drop("response_format", `${name} has no response_format option, and JSON mode without a schema cannot go through withStructuredOutput`);
  }

  const clientTools = options.clientTools === false ? [] : (request?.tools ?? []);
  if (options.clientTools === false && request?.tools?.length) drop("tools", "the graph runs its own tools (clientTools: false)");
  const chosen = toLangChainToolChoice(clientTools.length > 0 ? request?.tool_choice : undefined, clientTools);
  const tools: BindToolsInput[] = [...(options.tools ?? []), ...chosen.tools];
  const toolOptions = {
    ...(chosen.choice !== undefined && { tool_choice: chosen.choice }),
    ...(clientTools.length > 0 && request?.parallel_tool_calls !== undefined && { parallel_tool_calls: request.parallel_tool_calls }),
  };

  const target = Object.keys(fields).length > 0 ? withFields(model, fields, drop, fieldParams) : model;
  let bound: ChatModelRunnable = target;
  if (structured) {
    if (tools.length > 0) drop("tools", `${name} gets response_format through withStructuredOutput, which binds a tool of its own`);
    bound = structuredAnswer(target, structured);
  } else if (tools.length > 0) {
    if (typeof target.bindTools !== "function") drop("tools", `${name} takes no tools`);
    else {
      try {
        bound = target.bindTools(tools, toolOptions);
      } catch (error) {
        drop("tools", `${name} refused them (${String(error)})`);
      }
    }
  }
  return Object.keys(callOptions).length > 0 ? bound.withConfig(callOptions as RunnableConfig) : bound;
}
