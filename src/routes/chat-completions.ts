/**
 * `POST /v1/chat/completions`: request -> validate -> convert -> run -> events ->
 * render -> response. Streamed and non-streamed answers share every step but the last.
 */
import { randomUUID } from "node:crypto";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { Context } from "hono";
import { toLangChainMessages } from "../convert.ts";
import { ModelNotFoundError, type ApiError } from "../errors.ts";
import { readJsonBody } from "../openai/read-body.ts";
import { parseChatRequest } from "../openai/validate.ts";
import { canUseModel } from "../middleware/auth.ts";
import type { Registry } from "../registry.ts";
import { toChunks } from "../render.ts";
import { toRequestContext } from "../request-context.ts";
import { respondJson, respondStream, type RespondOptions } from "../respond.ts";
import { runGraph } from "../run.ts";
import type { RunTracker } from "../run-tracker.ts";

export interface ChatCompletionsOptions {
  checkpointer: BaseCheckpointSaver;
  onServerError?: (error: ApiError, cause: unknown) => void;
  /** Admission (429), the run timeout, and what each run did, for logs and metrics. */
  runs: RunTracker;
}

export function chatCompletions(registry: Registry, options: ChatCompletionsOptions) {
  const { checkpointer } = options;
  return async (c: Context): Promise<Response> => {
    const request = parseChatRequest(await readJsonBody(c));
    const entry = registry.get(request.model);
    if (!entry || !canUseModel(c, entry.id)) throw new ModelNotFoundError(request.model);
    c.set("model", entry.id);
    const messages = toLangChainMessages(request.messages);

    const controller = new AbortController();
    // Operations: a slot (or 429), a timeout that aborts `controller`, and the run's record.
    const run = options.runs.admit(entry, controller);
    c.set("run", run.record);
    const clientLeft = () => controller.abort();
    c.req.raw.signal.addEventListener("abort", clientLeft, { once: true });
    const threadId = randomUUID();
    const respondOptions: RespondOptions = {
      onClientLeft: clientLeft,
      onServerError: options.onServerError,
      cleanup: async () => {
        run.end();
        c.req.raw.signal.removeEventListener("abort", clientLeft);
        await checkpointer.deleteThread(threadId);
      },
    };

    const events = run.observe(runGraph({
      entry,
      input: { messages },
      threadId,
      request: toRequestContext(request),
      signal: controller.signal,
    }));
    const meta = { id: `chatcmpl-${randomUUID().replaceAll("-", "")}`, created: Math.floor(Date.now() / 1000), model: entry.id };
    if (!request.stream) return respondJson(c, toChunks(events, meta, true), respondOptions);
    const chunks = toChunks(events, meta, request.stream_options?.include_usage === true);
    return respondStream(c, chunks, respondOptions);
  };
}
