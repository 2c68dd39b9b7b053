/**
 * A graph whose state is not a conversation as a chat model: which input field the
 * user's message goes into, and which output field the answer is read from. A graph
 * whose input has `messages` is a chat graph, and gets the messages as always. Others
 * (a tutorial's RAG graph `{question, documents, generation}`, data enrichment's
 * `{topic, extractionSchema}` → `info`) get the last user message's text in their one
 * string input field, found without config where it is unambiguous: the only input
 * field, the only (required) one a zod input schema types as a string, or the only one
 * named as such fields usually are. The answer is what the run wrote to its output.
 * A model's `input` and `output` settings name the fields otherwise.
 */
import { isBaseMessage, type BaseMessage } from "@langchain/core/messages";
import { getInteropZodObjectShape, interopSafeParse, isInteropZodObject, type InteropZodType } from "@langchain/core/utils/types";
import type { ModelSettings } from "../config.js";
import type { CompiledGraph } from "../registry.js";

/**
 * Field names: `input` takes the user's text; the answer is `output`, or the one of
 * `outputs` the run wrote (see `answerOf`). Neither set: a chat graph.
 */
export interface StateFields {
  input?: string;
  output?: string;
  outputs?: string[];
}

/** What a one-question graph's input field is usually called. */
const INPUT_NAMES = new Set(["question", "query", "topic", "input", "prompt", "request", "task", "text", "message", "user_input", "userInput"]);

/** What its answer is usually called, most telling first. */
const OUTPUT_NAMES = ["answer", "generation", "response", "output", "result", "info", "summary", "report", "content"];

/** LangGraph's StateGraph as a compiled graph keeps it (internal, the same in every 1.x). */
interface StateGraphBuilder {
  _schemaDefinition?: unknown;
  _schemaRuntimeDefinition?: unknown;
  _inputDefinition?: unknown;
  _inputRuntimeDefinition?: unknown;
  _schemaDefinitions?: Map<unknown, Record<string, unknown>>;
}

function builderOf(graph: CompiledGraph): StateGraphBuilder | undefined {
  return (graph as { builder?: StateGraphBuilder }).builder;
}

/** The graph's input fields, or undefined for a graph that is not a StateGraph. */
function inputFields(graph: CompiledGraph): string[] | undefined {
  const builder = builderOf(graph);
  const definition = builder?._schemaDefinitions?.get(builder._inputDefinition);
  return definition ? Object.keys(definition) : undefined;
}

/** The graph's output fields; undefined when it outputs one bare value. */
function outputFields(graph: CompiledGraph): string[] | undefined {
  const channels = (graph as { outputChannels?: unknown }).outputChannels;
  return Array.isArray(channels) ? (channels as string[]) : undefined;
}

/** The graph's input schema when it is zod: its own, or the state's when it has none. */
function zodInputSchema(graph: CompiledGraph): unknown {
  const builder = builderOf(graph);
  if (isInteropZodObject(builder?._inputRuntimeDefinition)) return builder._inputRuntimeDefinition;
  return builder?._inputDefinition === builder?._schemaDefinition ? builder?._schemaRuntimeDefinition : undefined;
}

/** The fields a zod input schema types as strings (the required ones, when there are any), or undefined when it has none. */
function zodStringFields(graph: CompiledGraph): string[] | undefined {
  const schema = zodInputSchema(graph);
  if (!isInteropZodObject(schema)) return undefined;
  const shape = getInteropZodObjectShape(schema) as Record<string, InteropZodType>;
  const accepts = (key: string, value: unknown) => interopSafeParse(shape[key]!, value).success;
  const strings = Object.keys(shape).filter((key) => accepts(key, "a question") && !accepts(key, 0));
  const required = strings.filter((key) => !accepts(key, undefined));
  return required.length > 0 ? required : strings;
}

function only(names: string[]): string | undefined {
  return names.length === 1 ? names[0] : undefined;
}

/** Where the user's text goes in and the answer comes out; `{}` for a chat graph, or one whose input is ambiguous. */
export function stateFields(graph: CompiledGraph, settings: Pick<ModelSettings, "input" | "output">): StateFields {
  const inputs = inputFields(graph);
  const input =
    settings.input ??
    (inputs === undefined || inputs.includes("messages")
      ? undefined
      : (only(inputs) ?? only(zodStringFields(graph) ?? inputs.filter((name) => INPUT_NAMES.has(name)))));
  if (settings.output !== undefined) return { input, output: settings.output };
  if (input === undefined) return {};
  return { input, outputs: (outputFields(graph) ?? []).filter((name) => name !== input && name !== "messages") };
}

/**
 * The value the run wrote as its answer: the `output` field, else of the other output
 * fields the one the run wrote, or among several the one named as answers usually are.
 */
export function answerOf(fields: StateFields, result: Record<string, unknown> | undefined): unknown {
  if (fields.output !== undefined) return result?.[fields.output];
  const written = (fields.outputs ?? []).filter((name) => result?.[name] !== undefined && result[name] !== null);
  const name = only(written) ?? OUTPUT_NAMES.find((candidate) => written.includes(candidate));
  return name === undefined ? undefined : result?.[name];
}

/** The run's input for a graph with an input field: the last user message's text there. */
function stateInput(field: string, messages: readonly BaseMessage[]): Record<string, unknown> {
  const question = messages.filter((message) => message.getType() === "human").at(-1);
  return question ? { [field]: question.text } : {};
}

/** An output value as the answer's text: a string as it is, anything else but messages as JSON. */
export function answerText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (isBaseMessage(value)) return value.text;
  if (Array.isArray(value) && value.length > 0 && value.every(isBaseMessage)) return (value.at(-1) as BaseMessage).text;
  return JSON.stringify(value);
}

/**
 * The graph's input for this run: for a graph with an input field, the user's text
 * there in place of `{ messages }`; with the fields a request set (`state`) under it.
 * A `Command` resuming an interrupt passes as it is.
 */
export function runInput(input: unknown, fields: StateFields, state: Record<string, unknown> | undefined): unknown {
  if (input === null || typeof input !== "object" || Object.getPrototypeOf(input) !== Object.prototype) return input;
  const { messages } = input as { messages?: BaseMessage[] };
  const own = fields.input !== undefined && Array.isArray(messages) ? stateInput(fields.input, messages) : input;
  return state ? { ...state, ...own } : own;
}

/** What is wrong with a model's `input` and `output` settings for its graph, if anything. */
export function stateFieldsProblem(graph: CompiledGraph, settings: Pick<ModelSettings, "input" | "output">): string | undefined {
  for (const [setting, fields] of [
    ["input", inputFields(graph)],
    ["output", outputFields(graph)],
  ] as const) {
    const name = settings[setting];
    if (name !== undefined && fields !== undefined && !fields.includes(name)) {
      return `its '${setting}' setting names '${name}', which is not one of the graph's ${setting} fields (${fields.join(", ")})`;
    }
  }
  return undefined;
}
