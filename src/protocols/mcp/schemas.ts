/**
 * A model as an MCP tool: its arguments and its result, each a zod schema that both
 * checks a call and becomes the JSON Schema `tools/list` shows (`inputSchema`,
 * `outputSchema`). The arguments are the user's message, the thread to continue, and
 * the `configurable` and `context` keys the model lets a request set.
 */
import { z } from "zod";
import type { ModelEntry } from "../../registry.js";

/** The keys an allow list names, or every key for `*`. */
function allowedKeys(keys: readonly string[] | undefined, what: string) {
  if (!keys?.length) return undefined;
  const described = (schema: z.ZodType<Record<string, unknown>>) => schema.describe(`The run's ${what}, over the model's defaults.`).optional();
  if (keys.includes("*")) return described(z.record(z.string(), z.unknown()));
  // Loose: another key reaches the run's settings check, whose error names it and the keys allowed.
  return described(z.looseObject(Object.fromEntries(keys.map((key) => [key, z.unknown().optional()]))));
}

/** What a call's arguments come to, whichever keys its model allows. */
export interface ToolArguments {
  message: string;
  thread_id?: string;
  configurable?: Record<string, unknown>;
  context?: Record<string, unknown>;
}

export function toolArgumentsSchema(entry: ModelEntry): z.ZodType<ToolArguments> {
  const configurable = allowedKeys(entry.settings.allow_configurable, "`configurable` (LangGraph's config.configurable)");
  const context = allowedKeys(entry.settings.allow_context, "runtime `context`");
  const schema = z.strictObject({
    message: z.string().describe("What to tell the agent: a question, a task, or the answer to the question it asked last."),
    thread_id: z
      .string()
      .describe("The thread to continue, as an earlier call returned it; leave it out to start a new conversation.")
      .optional(),
    ...(configurable && { configurable }),
    ...(context && { context }),
  });
  // zod types a key that is there for some models only as unknown.
  return schema as z.ZodType<ToolArguments>;
}

export const toolResultSchema = z.object({
  answer: z.string().describe("The agent's answer, or the question it asks when interrupted."),
  thread_id: z.string().describe("The conversation's thread: pass it back to continue, or to answer the agent's question."),
  interrupted: z.boolean().describe("The agent stopped to ask a question: answer it in the next call on this thread.").optional(),
});

export type ToolResult = z.infer<typeof toolResultSchema>;

/** JSON Schema of an object, as MCP's `inputSchema` and `outputSchema` take it. */
export function objectJsonSchema(schema: z.ZodType): { type: "object"; [key: string]: unknown } {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: "input" });
  return { ...json, type: "object" };
}
