/**
 * A request that is a chat UI's background request (Open WebUI's tasks, `open-webui/tasks.ts`;
 * every other UI's, `recognize.ts`), for every protocol: by default answered at once,
 * without running the graph, taking a run slot or touching the chat's thread or its lock
 * (a title asked while the answer streams must not hold the answer up, nor answer a
 * pending interrupt, nor leave a thread behind). The model's `tasks` setting (or
 * `open_webui.tasks`) may send them to its graph, or another model's, on no thread: only one
 * the caller's key may use; otherwise the task is answered as by default.
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
import { TASK_HEADER } from "../open-webui/request.js";
import { answerTask } from "../open-webui/task-answers.js";
import { recognizeTask, type OpenWebUITask } from "../open-webui/tasks.js";
import { answerBackgroundRequest } from "./answers.js";
import { recognizeBackgroundRequest, type RecognizedRequest } from "./recognize.js";

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

type Task = { ui: "open-webui"; task: OpenWebUITask } | { ui: "other"; request: RecognizedRequest };

/** The answer made without a model, or undefined for a task that needs one. */
async function answerWithoutModel(c: Context, deps: RequestRunDeps, input: TaskRunInput, task: Task): Promise<string | undefined> {
  if (task.ui === "other") return answerBackgroundRequest(task.request);
  if (task.task.kind === "generation") return undefined;
  const choices = task.task.kind === "follow_ups" ? await followUpChoices(c, deps, input, task.task) : [];
  return answerTask(task.task, choices);
}

function recognize(c: Context, input: TaskRunInput): Task | undefined {
  const task = recognizeTask(input.messages, c.req.header(TASK_HEADER));
  if (task) return { ui: "open-webui", task };
  const request = recognizeBackgroundRequest(input.messages, input.entry.settings.task_patterns);
  return request && { ui: "other", request };
}

/** The task's run, or undefined when the request is no task. */
export async function startTaskRun(c: Context, registry: Registry, deps: RequestRunDeps, input: TaskRunInput): Promise<RequestRun | undefined> {
  const task = recognize(c, input);
  if (!task) return undefined;
  const { settings } = input.entry;
  const configured = settings.tasks ?? settings.open_webui?.tasks ?? "answer";
  const setting = typeof configured === "object" && !canUseModel(c, configured.model) ? "answer" : configured;
  const text = setting === "answer" ? await answerWithoutModel(c, deps, input, task) : undefined;
  if (text !== undefined) {
    const noop = () => {};
    return {
      events: answered(text),
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
    // The UI parses the answer's content; nobody reads a task's steps.
    steps: false,
  });
}
