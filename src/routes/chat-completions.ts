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
import type { Registry } from "../registry.ts";
import { toChunks } from "../render.ts";
import { toRequestContext } from "../request-context.ts";
import { respondJson, respondStream, type RespondOptions } from "../respond.ts";
import { runGraph } from "../run.ts";

export interface ChatCompletionsOptions {
  checkpointer: BaseCheckpointSaver;
  onServerError?: (error: ApiError, cause: unknown) => void;
}

export function chatCompletions(registry: Registry, options: ChatCompletionsOptions) {
  const { checkpointer } = options;
  return async (c: Context): Promise<Response> => {
    const request = parseChatRequest(await readJsonBody(c));
    const entry = registry.get(request.model);
    if (!entry) throw new ModelNotFoundError(request.model);
    const messages = toLangChainMessages(request.messages);

    const controller = new AbortController();
    const clientLeft = () => controller.abort();
    c.req.raw.signal.addEventListener("abort", clientLeft, { once: true });
    const threadId = randomUUID();
    const respondOptions: RespondOptions = {
      onClientLeft: clientLeft,
      onServerError: options.onServerError,
      cleanup: async () => {
        c.req.raw.signal.removeEventListener("abort", clientLeft);
        await checkpointer.deleteThread(threadId);
      },
    };

    const events = runGraph({
      entry,
      input: { messages },
      threadId,
      request: toRequestContext(request),
      signal: controller.signal,
    });
    const meta = { id: `chatcmpl-${randomUUID().replaceAll("-", "")}`, created: Math.floor(Date.now() / 1000), model: entry.id };
    if (!request.stream) return respondJson(c, toChunks(events, meta, true), respondOptions);
    const chunks = toChunks(events, meta, request.stream_options?.include_usage === true);
    return respondStream(c, chunks, respondOptions);
  };
}
