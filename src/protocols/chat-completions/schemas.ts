/**
 * The wire format of OpenAI's Chat Completions API, as zod schemas. Requests are
 * validated with them; response types are inferred from them, so nothing is
 * written twice.
 *
 * The request schema follows OpenAI's OpenAPI spec (`CreateChatCompletionRequest`)
 * field by field; test/spec-conformance.test.ts checks it against the spec itself.
 * Where it differs, on purpose:
 * - `null` for an optional field counts as absent, as OpenAI's API and vLLM read it
 *   (Python clients send `None`); the parsed request holds `undefined` there.
 * - Rules the spec states only in prose are enforced as OpenAI's API does (see `proseRules`).
 * - What a graph cannot do is refused with a 400 that says so (`n` > 1, logprobs, audio output).
 * - A stop sequence is at most `MAX_STOP_SEQUENCE_LENGTH` characters long (OpenAI states no limit).
 * - Fields no schema names pass through untouched: clients send many.
 */
import { z } from "zod";
import { chatRequestFields, functionName, integer, optional, toolName } from "../../run/chat-request-schema.js";

const promptCacheBreakpoint = z.object({ mode: z.literal("explicit") });
const partExtras = { prompt_cache_breakpoint: optional(promptCacheBreakpoint) };

const textPart = z.object({ type: z.literal("text"), text: z.string(), ...partExtras });
const imagePart = z.object({
  type: z.literal("image_url"),
  image_url: z.object({ url: z.string(), detail: optional(z.enum(["auto", "low", "high"])) }),
  ...partExtras,
});
const audioPart = z.object({
  type: z.literal("input_audio"),
  input_audio: z.object({ data: z.string(), format: z.enum(["wav", "mp3"]) }),
  ...partExtras,
});
const filePart = z.object({
  type: z.literal("file"),
  file: z.object({ file_data: optional(z.string()), file_id: optional(z.string()), filename: optional(z.string()) }),
  ...partExtras,
});
const refusalPart = z.object({ type: z.literal("refusal"), refusal: z.string() });

/** A message's content: a string, or at least one part. */
const content = <Part extends z.ZodType>(part: Part) => z.union([z.string(), z.array(part).min(1)]);
const textContent = content(textPart);

export const toolCallSchema = z.object({
  id: z.string(),
  type: z.literal("function"),
  // Any string, as the spec says: a model's arguments are not always valid JSON.
  function: z.object({ name: z.string(), arguments: z.string() }),
});
export type ToolCall = z.infer<typeof toolCallSchema>;

const customToolCall = z.object({
  id: z.string(),
  type: z.literal("custom"),
  custom: z.object({ name: z.string(), input: z.string() }),
});

const name = optional(z.string());

const systemMessage = z.object({ role: z.literal("system"), content: textContent, name });
const developerMessage = z.object({ role: z.literal("developer"), content: textContent, name });
const userMessage = z.object({
  role: z.literal("user"),
  content: content(z.discriminatedUnion("type", [textPart, imagePart, audioPart, filePart])),
  name,
});
const assistantMessage = z
  .object({
    role: z.literal("assistant"),
    content: optional(content(z.discriminatedUnion("type", [textPart, refusalPart]))),
    refusal: optional(z.string()),
    name,
    audio: optional(z.object({ id: z.string() })),
    tool_calls: optional(z.array(z.discriminatedUnion("type", [toolCallSchema, customToolCall]))),
    function_call: optional(z.object({ name: z.string(), arguments: z.string() })),
    // Clients echo a reasoning model's thinking back (`reasoning_content`, `reasoning`): accepted and dropped.
  })
  .refine((m) => m.content !== undefined || (m.tool_calls?.length ?? 0) > 0 || m.function_call !== undefined, {
    message: "an assistant message needs 'content' unless it has 'tool_calls' or 'function_call'",
    path: ["content"],
  });
const toolMessage = z.object({ role: z.literal("tool"), content: textContent, tool_call_id: z.string() });
/** Deprecated by OpenAI (the result of a `function_call`), still valid. */
const functionMessage = z.object({ role: z.literal("function"), content: z.string().nullable(), name: z.string() });

export const messageSchema = z.discriminatedUnion("role", [
  systemMessage,
  developerMessage,
  userMessage,
  assistantMessage,
  toolMessage,
  functionMessage,
]);
export type ChatMessage = z.infer<typeof messageSchema>;

const requestFields = z.looseObject({
  ...chatRequestFields,
  messages: z.array(messageSchema).min(1, "must contain at least one message"),
  stream: optional(z.boolean()),
  stream_options: optional(z.object({ include_usage: optional(z.boolean()), include_obfuscation: optional(z.boolean()) })),
  safety_identifier: optional(z.string().max(64)),
  prompt_cache_key: optional(z.string()),
  prompt_cache_retention: optional(z.enum(["in_memory", "24h"])),
  prompt_cache_options: optional(z.object({ ttl: optional(z.literal("30m")), mode: optional(z.enum(["implicit", "explicit"])) })),
  n: optional(integer().min(1).max(128).max(1, "n > 1 is not supported: a graph run produces one answer")),
  logprobs: optional(z.boolean().refine((value) => !value, "logprobs are not supported by graph models")),
  top_logprobs: optional(integer().min(0).max(20).max(0, "top_logprobs are not supported by graph models")),
  modalities: optional(
    z.array(z.enum(["text", "audio"]).refine((modality) => modality === "text", "output modalities other than text are not supported by graph models")),
  ),
  audio: optional(z.unknown().refine(() => false, "audio output is not supported by graph models")),
  /** vLLM's and OpenRouter's extension: `false` sends no `reasoning_content` (the agent's steps and reasoning). */
  include_reasoning: optional(z.boolean()),
  verbosity: optional(z.enum(["low", "medium", "high"])),
  logit_bias: optional(z.record(z.string(), integer().min(-100).max(100))),
  store: optional(z.boolean()),
  service_tier: optional(z.enum(["auto", "default", "flex", "scale", "priority", "fast"])),
  prediction: optional(z.object({ type: z.literal("content"), content: textContent })),
  web_search_options: optional(
    z.object({
      user_location: optional(
        z.object({
          type: z.literal("approximate"),
          approximate: z.object({
            country: optional(z.string()),
            region: optional(z.string()),
            city: optional(z.string()),
            timezone: optional(z.string()),
          }),
        }),
      ),
      search_context_size: optional(z.enum(["low", "medium", "high"])),
    }),
  ),
  moderation: optional(
    z.object({
      model: z.string(),
      policy: optional(
        z.object({
          input: optional(z.object({ mode: z.enum(["score", "block"]) })),
          output: optional(z.object({ mode: z.enum(["score", "block"]) })),
        }),
      ),
    }),
  ),
  // Deprecated by OpenAI for `tools`/`tool_choice`, still sent by old clients: checked, then ignored.
  functions: optional(
    z
      .array(z.object({ name: functionName, description: optional(z.string()), parameters: optional(z.record(z.string(), z.unknown())) }))
      .min(1)
      .max(128),
  ),
  function_call: optional(z.union([z.enum(["none", "auto"]), z.object({ name: z.string() })])),
});

type RequestFields = z.infer<typeof requestFields>;

/**
 * The rules OpenAI states in prose and its API enforces, each naming its field as
 * OpenAI's 400 does.
 */
function proseRules(request: RequestFields, ctx: z.RefinementCtx): void {
  const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path, message, input: request });
  if (request.stream_options !== undefined && request.stream !== true) {
    issue(["stream_options"], "only allowed when 'stream' is true");
  }
  const metadataKeys = Object.keys(request.metadata ?? {}).length;
  if (metadataKeys > 16) issue(["metadata"], `at most 16 key-value pairs, got ${metadataKeys}`);
  const choice = request.tool_choice;
  if (choice === undefined || choice === "none") return;
  const tools = request.tools;
  if (tools === undefined) {
    issue(["tool_choice"], "only allowed when 'tools' are given");
    return;
  }
  const names = new Set(tools.map(toolName));
  if (typeof choice === "object" && choice.type === "allowed_tools") {
    choice.allowed_tools.tools.forEach((tool, index) => {
      const wanted = toolName(tool);
      if (!names.has(wanted)) issue(["tool_choice", "allowed_tools", "tools", index], `no tool named ${JSON.stringify(wanted)} in 'tools'`);
    });
  } else if (typeof choice === "object" && !names.has(toolName(choice))) {
    issue(["tool_choice"], `no tool named ${JSON.stringify(toolName(choice))} in 'tools'`);
  }
}

export const chatCompletionRequestSchema = requestFields.superRefine(proseRules);
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

/** A web source the answer cites, as OpenAI's web search answers it (`message.annotations`). */
export const annotationSchema = z.object({
  type: z.literal("url_citation"),
  url_citation: z.object({ url: z.string(), title: z.string(), start_index: z.number().int(), end_index: z.number().int() }),
});
export type Annotation = z.infer<typeof annotationSchema>;

/**
 * Open WebUI's own event, which it reads from a chunk's top-level `event` (with `choices: []`):
 * a status line (`{ type: "status", data: { description, done, hidden } }`) or a source.
 */
export const openWebUIEventSchema = z.object({ type: z.string(), data: z.record(z.string(), z.unknown()) });
export type OpenWebUIEvent = z.infer<typeof openWebUIEventSchema>;

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
        /**
         * What the agent did on the way (its reasoning, tool steps, progress), as reasoning
         * models served by DeepSeek, vLLM and others send it; never part of `content`.
         */
        reasoning_content: z.string().optional(),
        tool_calls: z.array(toolCallSchema).optional(),
        annotations: z.array(annotationSchema).optional(),
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
        reasoning_content: z.string().optional(),
        tool_calls: z.array(toolCallDeltaSchema).optional(),
        annotations: z.array(annotationSchema).optional(),
      }),
      logprobs: z.null(),
      finish_reason: finishReasonSchema.nullable(),
    }),
  ),
  usage: usageSchema.nullable().optional(),
  interrupts: z.array(interruptSchema).optional(),
  event: openWebUIEventSchema.optional(),
});
export type ChatCompletionChunk = z.infer<typeof chatCompletionChunkSchema>;

export const modelSchema = z.object({
  id: z.string(),
  object: z.literal("model"),
  created: z.number().int(),
  owned_by: z.string(),
  /** A display name, which Open WebUI shows in its model picker. */
  name: z.string(),
  description: z.string().optional(),
});
export type Model = z.infer<typeof modelSchema>;
