/**
 * `GET /threads/{thread_id}/state?model=M`: what a thread holds, as the checkpointer
 * keeps it at its latest checkpoint: the state's values (messages as plain JSON), the
 * nodes due next and the interrupts that wait for an answer. The thread id is the
 * client's, scoped to the caller's tenant as every run's is (`threads/owner.ts`), so
 * another tenant's thread of the same name is not found.
 */
import { isBaseMessage, type AIMessage, type BaseMessage, type ToolMessage } from "@langchain/core/messages";
import type { Context } from "hono";
import { z } from "zod";
import { InvalidRequestError, ModelNotFoundError, NotFoundError } from "../errors.js";
import { canUseModel } from "../middleware/auth.js";
import type { Registry } from "../registry.js";
import { modelGraph } from "../request-run.js";
import { scopeThreadId, threadOwner } from "../threads/owner.js";
import { interruptChoices, interruptText } from "../run/interrupt-text.js";
import { pendingInterrupts } from "../threads/plan.js";
import { threadSaver } from "../threads/session.js";
import { threadIdProblem } from "../threads/thread-id.js";
import type { BaseCheckpointSaver } from "@langchain/langgraph";

export const threadStateSchema = z.object({
  object: z.literal("thread.state"),
  thread_id: z.string(),
  model: z.string(),
  checkpoint_id: z.string(),
  created_at: z.string().nullable(),
  /** Nodes that run next; empty when the graph finished. */
  next: z.array(z.string()),
  interrupts: z.array(z.object({ id: z.string().optional(), value: z.unknown() })),
  /** What the pending interrupts ask, as a person reads it; null when none waits. */
  question: z.string().nullable(),
  /** The answers the question offers ("Send this email? (yes/no)": yes, no), if any. */
  choices: z.array(z.string()),
  values: z.record(z.string(), z.unknown()),
});
export type ThreadState = z.infer<typeof threadStateSchema>;

/** A message as a person reads it: its type and content, and only the fields it has. */
function plainMessage(message: BaseMessage): Record<string, unknown> {
  const { id, name } = message;
  const { tool_calls: toolCalls, usage_metadata: usage } = message as Partial<AIMessage>;
  const { tool_call_id: toolCallId } = message as Partial<ToolMessage>;
  return {
    type: message.getType(),
    content: message.content,
    ...(id !== undefined && { id }),
    ...(name !== undefined && { name }),
    ...(toolCalls?.length && { tool_calls: toolCalls }),
    ...(toolCallId !== undefined && { tool_call_id: toolCallId }),
    ...(usage !== undefined && { usage_metadata: usage }),
  };
}

/** The state as JSON, messages as plain objects rather than LangChain's constructor records. */
function plainValues(values: unknown): Record<string, unknown> {
  const text = JSON.stringify(values ?? {}, function (this: unknown, key: string, value: unknown) {
    // The replacer sees the message itself before its own toJSON runs, through its holder.
    const original = key === "" ? value : (this as Record<string, unknown>)[key];
    // isBaseMessage tells a message by its method, not its class: one of any copy of @langchain/core.
    return isBaseMessage(original) ? plainMessage(original) : value;
  });
  const parsed: unknown = JSON.parse(text);
  return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed };
}

export function threadStateRoute(registry: Registry, checkpointer: BaseCheckpointSaver) {
  return async (c: Context): Promise<Response> => {
    const threadId = c.req.param("thread") ?? "";
    const problem = threadIdProblem(threadId);
    if (problem) throw new InvalidRequestError(`Invalid thread id: ${problem}.`, "thread_id");
    const model = c.req.query("model");
    if (!model) throw new InvalidRequestError("Missing required parameter: 'model' (the model whose graph the thread runs).", "model");
    const entry = registry.get(model);
    if (!entry || !canUseModel(c, entry.id)) throw new ModelNotFoundError(model);
    const graph = await modelGraph(entry);
    threadSaver(graph, checkpointer);
    const snapshot = await graph.getState({ configurable: { thread_id: scopeThreadId(threadOwner(c), threadId) } });
    const checkpointId = snapshot.config.configurable?.checkpoint_id as string | undefined;
    if (checkpointId === undefined) throw new NotFoundError(`No thread found with id '${threadId}'.`, "thread_not_found", "thread_id");
    const interrupts = pendingInterrupts(snapshot);
    const state: ThreadState = {
      object: "thread.state",
      thread_id: threadId,
      model: entry.id,
      checkpoint_id: checkpointId,
      created_at: snapshot.createdAt ?? null,
      next: [...snapshot.next],
      interrupts,
      question: interrupts.length ? interruptText(interrupts) : null,
      choices: interruptChoices(interrupts),
      values: plainValues(snapshot.values),
    };
    return c.json(state);
  };
}
