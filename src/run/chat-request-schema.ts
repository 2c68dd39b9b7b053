/**
 * The chat request a graph sees (`getChatRequest(config)`), as zod schemas: the client's
 * tools, tool choice, response format and sampling parameters, in OpenAI's chat
 * completions terms, which every protocol maps its request onto (the Responses API's
 * tools, AG-UI's frontend tools). Chat completions' request schema is built on these
 * fields, so they are written once; `bindChatRequest` reads them.
 */
import { z } from "zod";
import { MAX_STOP_SEQUENCE_LENGTH, MAX_STOP_SEQUENCES } from "./stop-sequences.js";

/** An optional field: null counts as absent (the parsed value is `undefined`). */
export function optional<T extends z.ZodType>(schema: T) {
  return schema
    .nullable()
    .transform((value) => value ?? undefined)
    .optional();
}

/** JSON Schema's `integer`: any whole number, beyond 2^53 too (a 64-bit `seed`). */
export const integer = () => z.number().refine(Number.isInteger, "expected an integer");

/** OpenAI's rule for tool, function and response-format names (stated in the spec's prose). */
export const functionName = z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "must be 1 to 64 letters, digits, underscores or dashes");

const functionTool = z.object({
  type: z.literal("function"),
  function: z.object({
    name: functionName,
    description: optional(z.string()),
    parameters: optional(z.record(z.string(), z.unknown())),
    strict: optional(z.boolean()),
  }),
});
const customTool = z.object({
  type: z.literal("custom"),
  custom: z.object({
    name: z.string(),
    description: optional(z.string()),
    format: optional(
      z.discriminatedUnion("type", [
        z.strictObject({ type: z.literal("text") }),
        z.strictObject({
          type: z.literal("grammar"),
          grammar: z.object({ definition: z.string(), syntax: z.enum(["lark", "regex"]) }),
        }),
      ]),
    ),
  }),
});
const toolSchema = z.discriminatedUnion("type", [functionTool, customTool]);

const toolChoiceSchema = z.union([
  z.enum(["none", "auto", "required"]),
  z.object({
    type: z.literal("allowed_tools"),
    allowed_tools: z.object({ mode: z.enum(["auto", "required"]), tools: z.array(z.looseObject({})) }),
  }),
  z.object({ type: z.literal("function"), function: z.object({ name: z.string() }) }),
  z.object({ type: z.literal("custom"), custom: z.object({ name: z.string() }) }),
]);

const responseFormatSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    json_schema: z.object({
      name: functionName,
      description: optional(z.string()),
      schema: optional(z.record(z.string(), z.unknown())),
      strict: optional(z.boolean()),
    }),
  }),
]);

/** The spec's `ReasoningEffort`, which the Responses API shares. */
export const reasoningEffortSchema = z.enum(["none", "minimal", "low", "medium", "high", "xhigh", "max"]);

const stopSequence = z.string().max(MAX_STOP_SEQUENCE_LENGTH, {
  error: (issue) =>
    `string too long. Expected a string with maximum length ${MAX_STOP_SEQUENCE_LENGTH}, but got a string with length ${String(issue.input).length} instead`,
});

const penalty = z.number().min(-2).max(2);
/** The spec types these as plain integers; OpenAI's API refuses less than one. */
const tokenLimit = integer().min(1);

/** `{ "type": "function", "function": { "name": "x" } }` or the custom tool's `{ "custom": { "name" } }`: the tool's name. */
export function toolName(tool: object): unknown {
  const named = tool as { type?: unknown; function?: { name?: unknown }; custom?: { name?: unknown }; name?: unknown };
  return named.type === "custom" ? named.custom?.name : (named.function?.name ?? named.name);
}

/** The request's fields a graph sees, with the rules chat completions checks them by. */
export const chatRequestFields = {
  model: z.string().min(1, "must name a model"),
  temperature: optional(z.number().min(0).max(2)),
  top_p: optional(z.number().min(0).max(1)),
  max_tokens: optional(tokenLimit),
  max_completion_tokens: optional(tokenLimit),
  stop: optional(z.union([stopSequence, z.array(stopSequence).min(1).max(MAX_STOP_SEQUENCES)])),
  presence_penalty: optional(penalty),
  frequency_penalty: optional(penalty),
  seed: optional(integer().min(-9223372036854776000).max(9223372036854776000)),
  user: optional(z.string()),
  // OpenAI's prose: at most 16 pairs, keys up to 64 characters, values up to 512.
  metadata: optional(z.record(z.string().max(64), z.string().max(512))),
  tools: optional(z.array(toolSchema).min(1)),
  tool_choice: optional(toolChoiceSchema),
  parallel_tool_calls: optional(z.boolean()),
  response_format: optional(responseFormatSchema),
  reasoning_effort: optional(reasoningEffortSchema),
};

/** Everything the client asked for but the messages (which become the graph's input). */
export type ChatRequestContext = z.infer<z.ZodObject<typeof chatRequestFields>> & Record<string, unknown>;
