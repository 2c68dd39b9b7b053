/**
 * The wire format of OpenAI's Responses API (`/v1/responses`), as zod schemas, after
 * the official spec (components `CreateResponse`, `InputItem`, `Response`,
 * `ResponseStreamEvent`). Requests are validated with them; response and event types
 * are inferred from them. Unknown request fields pass through: clients send many
 * (Codex sends `client_metadata`).
 */
import { z } from "zod";
import { reasoningEffortSchema } from "../../run/chat-request-schema.js";
import { namespaceToolSchema } from "./namespaces.js";

// ---------------------------------------------------------------- request: input items

const inputText = z.looseObject({ type: z.literal("input_text"), text: z.string() });
// The spec requires `detail`; clients leave it out (the AI SDK without `imageDetail`) and
// OpenAI reads that as "auto", so do we.
const inputImage = z.looseObject({
  type: z.literal("input_image"),
  image_url: z.string().nullish(),
  file_id: z.string().nullish(),
  detail: z.enum(["low", "high", "auto", "original"]).nullish(),
});
const inputFile = z.looseObject({
  type: z.literal("input_file"),
  file_id: z.string().nullish(),
  filename: z.string().optional(),
  file_data: z.string().optional(),
  file_url: z.string().optional(),
});
const inputContent = z.discriminatedUnion("type", [inputText, inputImage, inputFile]);
export type InputContent = z.infer<typeof inputContent>;

const outputTextPart = z.looseObject({ type: z.literal("output_text"), text: z.string() });
const refusalPart = z.looseObject({ type: z.literal("refusal"), refusal: z.string() });

const itemStatus = z.enum(["in_progress", "completed", "incomplete"]);

/** `type: "message"` may be left out (`EasyInputMessage`): `preprocessItem` adds it. */
const messageItem = z.discriminatedUnion("role", [
  z.looseObject({ type: z.literal("message"), role: z.literal("user"), content: z.union([z.string(), z.array(inputContent)]) }),
  z.looseObject({ type: z.literal("message"), role: z.literal("system"), content: z.union([z.string(), z.array(inputContent)]) }),
  z.looseObject({ type: z.literal("message"), role: z.literal("developer"), content: z.union([z.string(), z.array(inputContent)]) }),
  z.looseObject({
    type: z.literal("message"),
    role: z.literal("assistant"),
    id: z.string().nullish(),
    content: z.union([z.string(), z.array(z.discriminatedUnion("type", [outputTextPart, refusalPart, inputText]))]),
  }),
]);

const functionCallItem = z.looseObject({
  type: z.literal("function_call"),
  id: z.string().nullish(),
  call_id: z.string().min(1),
  name: z.string().min(1),
  /** The namespace tool whose function this is (see `namespaces.ts`). */
  namespace: z.string().min(1).nullish(),
  arguments: z.string(),
});

const functionCallOutputItem = z.looseObject({
  type: z.literal("function_call_output"),
  id: z.string().nullish(),
  // The spec lets it be null; without it the result belongs to no call.
  call_id: z.string().min(1).max(64),
  output: z.union([z.string(), z.array(inputContent)]),
});

const reasoningItem = z.looseObject({
  type: z.literal("reasoning"),
  id: z.string().nullish(),
  summary: z.array(z.looseObject({ type: z.literal("summary_text"), text: z.string() })).optional(),
});

const itemReference = z.looseObject({ type: z.literal("item_reference"), id: z.string().min(1) });

/** Items of the API that only OpenAI's hosted tools produce: a graph has nothing to do with them. */
const HOSTED_ITEM_TYPES = [
  "file_search_call",
  "computer_call",
  "computer_call_output",
  "web_search_call",
  "tool_search_call",
  "tool_search_output",
  "additional_tools",
  "compaction",
  "compaction_trigger",
  "image_generation_call",
  "code_interpreter_call",
  "local_shell_call",
  "local_shell_call_output",
  "shell_call",
  "shell_call_output",
  "apply_patch_call",
  "apply_patch_call_output",
  "mcp_list_tools",
  "mcp_approval_request",
  "mcp_approval_response",
  "mcp_call",
  "custom_tool_call",
  "custom_tool_call_output",
  "program",
  "program_output",
] as const;
const hostedItem = z
  .looseObject({ type: z.enum(HOSTED_ITEM_TYPES) })
  .refine(() => false, { message: "items of this type come from OpenAI's hosted tools and are not supported by graph models", path: ["type"] });

/** The two shapes the spec lets leave out `type`: a message (it has a role) and an item reference (only an id). */
function preprocessItem(item: unknown): unknown {
  if (item === null || typeof item !== "object" || Array.isArray(item)) return item;
  const record = item as Record<string, unknown>;
  if (record.type != null) return item;
  if ("role" in record) return { ...record, type: "message" };
  if ("id" in record) return { ...record, type: "item_reference" };
  return item;
}

export const inputItemSchema = z.preprocess(
  preprocessItem,
  z.discriminatedUnion("type", [messageItem, functionCallItem, functionCallOutputItem, reasoningItem, itemReference, hostedItem]),
);
export type InputItem = z.infer<typeof inputItemSchema>;

// ---------------------------------------------------------------- request: tools and options

export const functionToolSchema = z.looseObject({
  type: z.literal("function"),
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "must be 1 to 64 letters, digits, underscores or dashes"),
  description: z.string().nullish(),
  // Required by the spec, left out by clients (the AI SDK without `strictJsonSchema`).
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});
export type FunctionTool = z.infer<typeof functionToolSchema>;

/** OpenAI's own tools and custom ones: accepted (Codex sends them), not given to the graph. */
const OTHER_TOOL_TYPES = [
  "file_search",
  "computer",
  "computer_use_preview",
  "web_search",
  "web_search_2025_08_26",
  "web_search_preview",
  "web_search_preview_2025_03_11",
  "mcp",
  "code_interpreter",
  "programmatic_tool_calling",
  "image_generation",
  "local_shell",
  "shell",
  "custom",
  "tool_search",
  "apply_patch",
] as const;
const toolSchema = z.discriminatedUnion("type", [functionToolSchema, namespaceToolSchema, z.looseObject({ type: z.enum(OTHER_TOOL_TYPES) })]);
export type Tool = z.infer<typeof toolSchema>;

const toolChoiceSchema = z.union([
  z.enum(["none", "auto", "required"]),
  z.looseObject({ type: z.literal("function"), name: z.string() }),
  z.looseObject({ type: z.literal("allowed_tools"), mode: z.enum(["auto", "required"]), tools: z.array(z.looseObject({ type: z.string() })) }),
]);
export type ToolChoice = z.infer<typeof toolChoiceSchema>;

const textFormat = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("text") }),
  z.looseObject({ type: z.literal("json_object") }),
  z.looseObject({
    type: z.literal("json_schema"),
    name: z.string(),
    schema: z.record(z.string(), z.unknown()),
    description: z.string().nullish(),
    strict: z.boolean().nullish(),
  }),
]);

/** Up to 16 pairs, keys of at most 64 characters, values of at most 512 (the spec's `Metadata`). */
const metadataSchema = z
  .record(z.string().max(64, "keys must be at most 64 characters"), z.string().max(512, "values must be at most 512 characters"))
  .refine((metadata) => Object.keys(metadata).length <= 16, "must have at most 16 key-value pairs");

const conversationSchema = z.union([z.string().min(1), z.looseObject({ id: z.string().min(1) })]);

export const createResponseSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(inputItemSchema)]).optional(),
  instructions: z.string().nullish(),
  previous_response_id: z.string().min(1).nullish(),
  conversation: conversationSchema.nullish(),
  store: z.boolean().nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_obfuscation: z.boolean().optional() }).nullish(),
  tools: z.array(toolSchema).optional(),
  tool_choice: toolChoiceSchema.optional(),
  parallel_tool_calls: z.boolean().nullish(),
  max_output_tokens: z.number().int().min(16).nullish(),
  max_tool_calls: z.number().int().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  metadata: metadataSchema.nullish(),
  user: z.string().optional(),
  safety_identifier: z.string().max(64).nullish(),
  prompt_cache_key: z.string().nullish(),
  text: z.looseObject({ format: textFormat.optional(), verbosity: z.enum(["low", "medium", "high"]).nullish() }).optional(),
  reasoning: z
    .looseObject({ effort: reasoningEffortSchema.nullish(), summary: z.enum(["auto", "concise", "detailed"]).nullish() })
    .nullish(),
  include: z.array(z.string()).nullish(),
  truncation: z.enum(["auto", "disabled"]).nullish(),
  service_tier: z.string().nullish(),
  background: z.literal(false, "background responses are not supported: a graph run answers while the request is open").nullish(),
  top_logprobs: z.literal(0, "top_logprobs are not supported by graph models").nullish(),
  prompt: z.unknown().refine((prompt) => prompt == null, "prompt templates are not supported by graph models").optional(),
});
export type CreateResponseRequest = z.infer<typeof createResponseSchema>;

// ---------------------------------------------------------------- response object and output items

export const outputTextSchema = z.object({
  type: z.literal("output_text"),
  text: z.string(),
  annotations: z.array(z.unknown()),
  logprobs: z.array(z.unknown()),
});

export const outputMessageSchema = z.object({
  type: z.literal("message"),
  id: z.string(),
  status: itemStatus,
  role: z.literal("assistant"),
  content: z.array(outputTextSchema),
});
export type OutputMessage = z.infer<typeof outputMessageSchema>;

export const functionCallSchema = z.object({
  type: z.literal("function_call"),
  id: z.string(),
  call_id: z.string(),
  name: z.string(),
  namespace: z.string().optional(),
  arguments: z.string(),
  status: itemStatus,
});
export type FunctionCall = z.infer<typeof functionCallSchema>;

export const summaryTextSchema = z.object({ type: z.literal("summary_text"), text: z.string() });

export const reasoningSchema = z.object({
  type: z.literal("reasoning"),
  id: z.string(),
  summary: z.array(summaryTextSchema),
  status: itemStatus,
});
export type Reasoning = z.infer<typeof reasoningSchema>;

export const outputItemSchema = z.discriminatedUnion("type", [outputMessageSchema, functionCallSchema, reasoningSchema]);
export type OutputItem = z.infer<typeof outputItemSchema>;

export const responseUsageSchema = z.object({
  input_tokens: z.number().int(),
  input_tokens_details: z.object({ cached_tokens: z.number().int(), cache_write_tokens: z.number().int() }),
  output_tokens: z.number().int(),
  output_tokens_details: z.object({ reasoning_tokens: z.number().int() }),
  total_tokens: z.number().int(),
});
export type ResponseUsage = z.infer<typeof responseUsageSchema>;

/** Our one extension, as on chat completions: what a graph stopped at `interrupt()` asks. */
export const interruptSchema = z.object({ id: z.string().optional(), value: z.unknown() });

export const responseSchema = z.object({
  id: z.string(),
  object: z.literal("response"),
  created_at: z.number().int(),
  status: z.enum(["completed", "failed", "in_progress", "incomplete"]),
  completed_at: z.number().int().nullable(),
  background: z.literal(false),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  incomplete_details: z.object({ reason: z.literal("max_output_tokens") }).nullable(),
  instructions: z.string().nullable(),
  max_output_tokens: z.number().int().nullable(),
  model: z.string(),
  output: z.array(outputItemSchema),
  parallel_tool_calls: z.boolean(),
  previous_response_id: z.string().nullable(),
  conversation: z.object({ id: z.string() }).nullable(),
  reasoning: z.object({ effort: z.string().nullable(), summary: z.string().nullable() }),
  service_tier: z.string(),
  store: z.boolean(),
  temperature: z.number().nullable(),
  text: z.object({ format: z.record(z.string(), z.unknown()) }),
  tool_choice: z.unknown(),
  tools: z.array(z.record(z.string(), z.unknown())),
  top_p: z.number().nullable(),
  truncation: z.enum(["auto", "disabled"]),
  // Left out until the run is over: the spec has no null here.
  usage: responseUsageSchema.optional(),
  user: z.string().optional(),
  metadata: z.record(z.string(), z.string()),
  interrupts: z.array(interruptSchema).optional(),
});
export type Response = z.infer<typeof responseSchema>;

// ---------------------------------------------------------------- stream events

const seq = { sequence_number: z.number().int() };
const at = { item_id: z.string(), output_index: z.number().int() };
const lifecycle = <Type extends string>(type: Type) => z.object({ type: z.literal(type), response: responseSchema, ...seq });

export const responseEventSchema = z.discriminatedUnion("type", [
  lifecycle("response.created"),
  lifecycle("response.in_progress"),
  lifecycle("response.completed"),
  lifecycle("response.incomplete"),
  lifecycle("response.failed"),
  z.object({ type: z.literal("response.output_item.added"), output_index: z.number().int(), item: outputItemSchema, ...seq }),
  z.object({ type: z.literal("response.output_item.done"), output_index: z.number().int(), item: outputItemSchema, ...seq }),
  z.object({ type: z.literal("response.content_part.added"), ...at, content_index: z.number().int(), part: outputTextSchema, ...seq }),
  z.object({ type: z.literal("response.content_part.done"), ...at, content_index: z.number().int(), part: outputTextSchema, ...seq }),
  z.object({ type: z.literal("response.output_text.delta"), ...at, content_index: z.number().int(), delta: z.string(), logprobs: z.array(z.unknown()), ...seq }),
  z.object({ type: z.literal("response.output_text.done"), ...at, content_index: z.number().int(), text: z.string(), logprobs: z.array(z.unknown()), ...seq }),
  z.object({ type: z.literal("response.function_call_arguments.delta"), ...at, delta: z.string(), ...seq }),
  z.object({ type: z.literal("response.function_call_arguments.done"), ...at, name: z.string(), arguments: z.string(), ...seq }),
  z.object({ type: z.literal("response.reasoning_summary_part.added"), ...at, summary_index: z.number().int(), part: summaryTextSchema, ...seq }),
  z.object({ type: z.literal("response.reasoning_summary_part.done"), ...at, summary_index: z.number().int(), part: summaryTextSchema, ...seq }),
  z.object({ type: z.literal("response.reasoning_summary_text.delta"), ...at, summary_index: z.number().int(), delta: z.string(), ...seq }),
  z.object({ type: z.literal("response.reasoning_summary_text.done"), ...at, summary_index: z.number().int(), text: z.string(), ...seq }),
]);
export type ResponseEvent = z.infer<typeof responseEventSchema>;
/** A response event before it is numbered: `render.ts` numbers them in one place. */
export type UnnumberedEvent = ResponseEvent extends infer Event ? (Event extends unknown ? Omit<Event, "sequence_number"> : never) : never;

/**
 * A failure once streaming began. The spec puts `code`, `message` and `param` on the
 * event; OpenAI's servers also nest them under `error`, which is what openai-node (and
 * through it ChatOpenAI and the Agents SDK) raises as an APIError. We send both.
 */
export const errorEventSchema = z.object({
  type: z.literal("error"),
  code: z.string().nullable(),
  message: z.string(),
  param: z.string().nullable(),
  error: z.object({ type: z.string(), code: z.string().nullable(), message: z.string(), param: z.string().nullable() }),
  ...seq,
});
export type ErrorEvent = z.infer<typeof errorEventSchema>;

export const deletedResponseSchema = z.object({ id: z.string(), object: z.literal("response"), deleted: z.literal(true) });
export type DeletedResponse = z.infer<typeof deletedResponseSchema>;
