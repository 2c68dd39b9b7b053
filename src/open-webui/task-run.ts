/**
 * A request that is one of Open WebUI's background tasks (`tasks.ts`), for every protocol:
 * by default answered at once, without running the graph, taking a run slot or touching
 * the chat's thread or its lock (a title asked while the answer streams must not hold the
 * answer up, nor leave a thread or an interrupt behind). The model's `open_webui.tasks`
 * setting may send tasks to its graph, or another model's, on no thread: only one the
 * caller's key may use; otherwise the task is answered as by default.
 */
import type { BaseMessage } from "@langchain/core/messages";
import type { Context } from "hono";
import { randomUUID } from "node:crypto";
import { canUseModel } from "../middleware/auth.js";
import type { ModelEntry, Registry } from "../registry.js";
import { modelGraph, startRequestRun, type RequestRun, type RequestRunDeps } from "../request-run.js";
import { noUsage, type RunEvent } from "../run/events.js";
import { interruptChoices, choicesInQuestion } from "../run/interrupt-text.js";
import { REQUEST_CONFIG_KEY, type ChatRequestContext } from "../run/request-context.js";
import { scopeThreadId, threadOwner } from "../threads/owner.js";
import { scratchSaver } from "../threads/scratch-saver.js";
import { pendingInterruptsOf } from "../threads/session.js";
import { threadIdOf } from "../threads/thread-id.js";
import { TASK_HEADER } from "./request.js";
import { answerTask } from "./task-answers.js";
import { recognizeTask, type OpenWebUITask } from "./tasks.js";

export interface TaskRunInput {
  entry: ModelEntry;
  messages: BaseMessage[];
  request: ChatRequestContext;
  /** Whether the client reads the answer as a stream. */
  streamed: boolean;
}

async function* answered(text: string): AsyncGenerator<RunEvent> {
  yield { type: "text", text };
  yield { type: "usage", usage: noUsage() };
}

/**
 * What the chat's pending interrupt offers: read from its thread when the task names it
 * (Open WebUI sends the chat id with its tasks too), else from the question the chat's
 * last answer ends with.
 */
async function followUpChoices(c: Context, deps: RequestRunDeps, input: TaskRunInput, task: OpenWebUITask): Promise<string[]> {
  let threadId: string | undefined;
  try {
    threadId = threadIdOf((name) => c.req.header(name), input.request.metadata);
  } catch {
    // A malformed chat id on a task is no reason to fail it: the text will do.
  }
  if (threadId === undefined) {
    const last = task.history.at(-1);
    return last?.role === "assistant" ? choicesInQuestion(last.text) : [];
  }
  // The caller's own thread, as `startRequestRun` scopes it.
  const scoped = scopeThreadId(threadOwner(c), threadId);
  const graph = await modelGraph(input.entry, { thread_id: scoped, [REQUEST_CONFIG_KEY]: input.request });
  return interruptChoices(await pendingInterruptsOf(graph, deps.checkpointer, scoped, c.req.raw.signal));
}

/** The task's run, or undefined when the request is no task. */
export async function startTaskRun(c: Context, registry: Registry, deps: RequestRunDeps, input: TaskRunInput): Promise<RequestRun | undefined> {
  const task = recognizeTask(input.messages, c.req.header(TASK_HEADER));
  if (!task) return undefined;
  const configured = input.entry.settings.open_webui?.tasks ?? "answer";
  const setting = typeof configured === "object" && !canUseModel(c, configured.model) ? "answer" : configured;
  if (setting === "answer" && task.kind !== "generation") {
    const choices = task.kind === "follow_ups" ? await followUpChoices(c, deps, input, task) : [];
    const noop = () => {};
    return {
      events: answered(answerTask(task, choices)),
      // No thread: nothing of a task is kept.
      threadId: randomUUID(),
      saver: scratchSaver(input.entry.langgraph),
      respondOptions: { cleanup: async () => {}, onClientLeft: noop },
    };
  }
  const entry = typeof setting === "object" ? registry.get(setting.model)! : input.entry;
  return startRequestRun(c, deps, {
    entry,
    messages: input.messages,
    thread: { mode: "stateless", discard: true },
    request: { ...input.request, model: entry.id },
    streamed: input.streamed,
    // Open WebUI parses the answer's content; nobody reads a task's steps.
    steps: false,
  });
}
