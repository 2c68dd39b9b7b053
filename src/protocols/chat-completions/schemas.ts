/**
 * The wire format of OpenAI's Chat Completions API, as zod schemas. Requests are
 * validated with them; response types are inferred from them, so nothing is
 * written twice. Unknown request fields pass through: clients send many.
 */
import { z } from "zod";

const textPart = z.object({ type: z.literal("text"), text: z.string() });
const imagePart = z.object({
  type: z.literal("image_url"),
  image_url: z.object({ url: z.string(), detail: z.enum(["auto", "low", "high"]).optional() }),
});
const audioPart = z.object({
  type: z.literal("input_audio"),
  input_audio: z.object({ data: z.string(), format: z.enum(["wav", "mp3"]) }),
});
const filePart = z.object({
  type: z.literal("file"),
  file: z.object({ file_data: z.string().optional(), file_id: z.string().optional(), filename: z.string().optional() }),
});
const refusalPart = z.object({ type: z.literal("refusal"), refusal: z.string() });

const userContentPart = z.discriminatedUnion("type", [textPart, imagePart, audioPart, filePart]);
const textContent = z.union([z.string(), z.array(textPart)]);

export const toolCallSchema = z.object({
  id: z.string(),
  type: z.literal("function"),
  function: z.object({ name: z.string(), arguments: z.string() }),
});
export type ToolCall = z.infer<typeof toolCallSchema>;

const name = z.string().optional();

const systemMessage = z.object({ role: z.literal("system"), content: textContent, name });
const developerMessage = z.object({ role: z.literal("developer"), content: textContent, name });
const userMessage = z.object({
  role: z.literal("user"),
  content: z.union([z.string(), z.array(userContentPart)]),
  name,
});
const assistantMessage = z
  .object({
    role: z.literal("assistant"),
    content: z.union([z.string(), z.array(z.discriminatedUnion("type", [textPart, refusalPart]))]).nullish(),
    tool_calls: z.array(toolCallSchema).optional(),
    refusal: z.string().nullish(),
    name,
  })
  .refine((m) => m.content != null || (m.tool_calls?.length ?? 0) > 0, {
    message: "an assistant message needs 'content' unless it has 'tool_calls'",
    path: ["content"],
  });
const toolMessage = z.object({ role: z.literal("tool"), content: textContent, tool_call_id: z.string() });

export const messageSchema = z.discriminatedUnion("role", [
  systemMessage,
  developerMessage,
  userMessage,
  assistantMessage,
  toolMessage,
]);
export type ChatMessage = z.infer<typeof messageSchema>;

export const toolSchema = z.object({
  type: z.literal("function"),
  function: z.object({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "must be 1 to 64 letters, digits, underscores or dashes"),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

const toolChoice = z.union([
  z.enum(["none", "auto", "required"]),
  z.object({ type: z.literal("function"), function: z.object({ name: z.string() }) }),
]);

const responseFormat = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({ type: z.literal("json_schema"), json_schema: z.looseObject({ name: z.string() }) }),
]);

const positiveInt = z.number().int().positive();

export const chatCompletionRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(messageSchema).min(1, "must contain at least one message"),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_tokens: positiveInt.nullish(),
  max_completion_tokens: positiveInt.nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  seed: z.number().int().nullish(),
  user: z.string().optional(),
  metadata: z.record(z.string(), z.string()).nullish(),
  tools: z.array(toolSchema).optional(),
  tool_choice: toolChoice.optional(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: responseFormat.optional(),
  n: z.number().int().min(1).max(1, "n > 1 is not supported: a graph run produces one answer").nullish(),
  logprobs: z.literal(false, "logprobs are not supported by graph models").nullish(),
  top_logprobs: z.literal(0, "top_logprobs are not supported by graph models").nullish(),
  modalities: z.array(z.literal("text", "output modalities other than text are not supported by graph models")).nullish(),
  audio: z.unknown().refine((audio) => audio == null, "audio output is not supported by graph models").optional(),
  reasoning_effort: z.string().nullish(),
  verbosity: z.enum(["low", "medium", "high"]).nullish(),
  logit_bias: z.record(z.string(), z.number().min(-100).max(100)).nullish(),
  store: z.boolean().nullish(),
  service_tier: z.string().nullish(),
  prompt_cache_key: z.string().optional(),
  safety_identifier: z.string().optional(),
  prediction: z.object({ type: z.literal("content"), content: textContent }).nullish(),
  web_search_options: z.looseObject({}).optional(),
  // Deprecated by OpenAI for `tools`/`tool_choice`, still sent by old clients: checked, then ignored.
  functions: z.array(z.looseObject({ name: z.string() })).optional(),
  function_call: z.union([z.enum(["none", "auto"]), z.object({ name: z.string() })]).optional(),
});
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;

export const finishReasonSchema = z.enum(["stop", "length", "tool_calls", "content_filter"]);
export type FinishReason = z.infer<typeof finishReasonSchema>;

export const usageSchema = z.object({
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
});
export type Usage = z.infer<typeof usageSchema>;

/** Our one extension of the wire format: what a graph stopped at `interrupt()` asks. */
export const interruptSchema = z.object({ id: z.string().optional(), value: z.unknown() });
export type Interrupt = z.infer<typeof interruptSchema>;

export const chatCompletionSchema = z.object({
  id: z.string(),
  object: z.literal("chat.completion"),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.number().int(),
      message: z.object({
        role: z.literal("assistant"),
        content: z.string().nullable(),
        refusal: z.null(),
        tool_calls: z.array(toolCallSchema).optional(),
      }),
      logprobs: z.null(),
      finish_reason: finishReasonSchema,
    }),
  ),
  usage: usageSchema,
  interrupts: z.array(interruptSchema).optional(),
});
export type ChatCompletion = z.infer<typeof chatCompletionSchema>;

export const toolCallDeltaSchema = z.object({
  index: z.number().int(),
  id: z.string().optional(),
  type: z.literal("function").optional(),
  function: z.object({ name: z.string().optional(), arguments: z.string().optional() }),
});
export type ToolCallDelta = z.infer<typeof toolCallDeltaSchema>;

export const chatCompletionChunkSchema = z.object({
  id: z.string(),
  object: z.literal("chat.completion.chunk"),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.number().int(),
      delta: z.object({
        role: z.literal("assistant").optional(),
        content: z.string().nullable().optional(),
        refusal: z.null().optional(),
        tool_calls: z.array(toolCallDeltaSchema).optional(),
      }),
      logprobs: z.null(),
      finish_reason: finishReasonSchema.nullable(),
    }),
  ),
  usage: usageSchema.nullable().optional(),
  interrupts: z.array(interruptSchema).optional(),
});
export type ChatCompletionChunk = z.infer<typeof chatCompletionChunkSchema>;

export const modelSchema = z.object({
  id: z.string(),
  object: z.literal("model"),
  created: z.number().int(),
  owned_by: z.string(),
  description: z.string().optional(),
});
export type Model = z.infer<typeof modelSchema>;
