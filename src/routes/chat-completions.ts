/**
 * `POST /v1/chat/completions`: request -> validate -> convert -> run -> events ->
 * render -> response. Streamed and non-streamed answers share every step but the last.
 */
import { randomUUID } from "node:crypto";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { Context } from "hono";
import { toLangChainMessages } from "../convert.ts";
import { ApiError, GraphRunError, ModelNotFoundError } from "../errors.ts";
import { canUseModel } from "../middleware/auth.ts";
import { readJsonBody } from "../openai/read-body.ts";
import { parseChatRequest } from "../openai/validate.ts";
import type { Registry } from "../registry.ts";
import { toChunks } from "../render.ts";
import { REQUEST_CONFIG_KEY, toRequestContext } from "../request-context.ts";
import { respondJson, respondStream, type RespondOptions } from "../respond.ts";
import type { RunTracker } from "../run-tracker.ts";
import { runGraph } from "../run.ts";
import { ThreadLocks } from "../threads/locks.ts";
import { openSession, recordAnswer, type RecordedAnswer } from "../threads/session.ts";
import { threadIdOf } from "../threads/thread-id.ts";

export interface ChatCompletionsOptions {
  checkpointer: BaseCheckpointSaver;
  /** Called with every error that became a 5xx, with its cause and the request's id. */
  onServerError?: (error: ApiError, cause: unknown, requestId?: string) => void;
  /** Admission (429), the run timeout, and what each run did, for logs and metrics. */
  runs: RunTracker;
}

export function chatCompletions(registry: Registry, options: ChatCompletionsOptions) {
  const { checkpointer } = options;
  const locks = new ThreadLocks();
  return async (c: Context): Promise<Response> => {
    const request = parseChatRequest(await readJsonBody(c));
    const entry = registry.get(request.model);
    if (!entry || !canUseModel(c, entry.id)) throw new ModelNotFoundError(request.model);
    c.set("model", entry.id);
    const messages = toLangChainMessages(request.messages);
    const requestedThreadId = threadIdOf((name) => c.req.header(name), request.metadata);
    const requestContext = toRequestContext(request);

    const controller = new AbortController();
    // Operations: a slot (or 429), a timeout that aborts `controller`, and the run's record.
    const run = options.runs.admit(entry, controller);
    c.set("run", run.record);
    let session;
    let graph;
    try {
      graph = await entry
        .getGraph({ configurable: { ...(requestedThreadId !== undefined && { thread_id: requestedThreadId }), [REQUEST_CONFIG_KEY]: requestContext } })
        .catch((error: unknown) => {
          throw error instanceof ApiError ? error : new GraphRunError(entry.id, error);
        });
      session = await openSession({ graph, checkpointer, locks, model: entry.id, requestedThreadId, wireMessages: request.messages, messages });
    } catch (error) {
      run.end();
      throw error;
    }

    const clientLeft = () => controller.abort();
    c.req.raw.signal.addEventListener("abort", clientLeft, { once: true });
    // The client may have left while the request waited for its thread.
    if (c.req.raw.signal.aborted) clientLeft();
    const answer: RecordedAnswer = { content: "", interrupted: false, complete: false };
    const respondOptions: RespondOptions = {
      onClientLeft: clientLeft,
      // A failure after streaming began never reaches app.onError; the log line needs the request id too.
      onServerError: (error, cause) => options.onServerError?.(error, cause, c.get("requestId")),
      cleanup: async () => {
        run.end();
        c.req.raw.signal.removeEventListener("abort", clientLeft);
        await session.finish(answer);
      },
    };

    const events = run.observe(
      runGraph({
        entry,
        graph,
        input: session.input,
        threadId: session.threadId,
        checkpointId: session.checkpointId,
        checkpointer: session.checkpointer,
        // A thread nobody named is only kept if the run stops at an interrupt, so saving its
        // state once at the end is enough, and a third cheaper on a one-node graph
        // (bench/RESULTS.md). A named thread keeps every step: its start is where an
        // edit of the first message forks from.
        durability: requestedThreadId === undefined ? "exit" : undefined,
        request: requestContext,
        signal: controller.signal,
      }),
    );
    const meta = { id: `chatcmpl-${randomUUID().replaceAll("-", "")}`, created: Math.floor(Date.now() / 1000), model: entry.id };
    const includeUsage = !request.stream || request.stream_options?.include_usage === true;
    const chunks = recordAnswer(toChunks(events, meta, includeUsage), answer);
    if (!request.stream) return respondJson(c, chunks, respondOptions);
    return respondStream(c, chunks, respondOptions);
  };
}
