/**
 * `POST /v1/chat/completions`: request -> validate -> convert -> run -> events ->
 * render -> response. Streamed and non-streamed answers share every step but the last.
 * A chat UI's background request is answered without a run (`chat-uis/task-run.ts`).
 */
import { randomUUID } from "node:crypto";
import type { Context } from "hono";
import { ModelNotFoundError } from "../../errors.js";
import { readJsonBody } from "../../http/read-body.js";
import { forClient, respondJson, respondStream } from "../../http/respond.js";
import { refuseLongArray } from "../../limits.js";
import { canUseModel } from "../../middleware/auth.js";
import type { Registry } from "../../registry.js";
import { startRequestRun, type RequestRunDeps } from "../../request-run.js";
import type { RunEvent } from "../../run/events.js";
import { noticeNonJsonAnswer } from "../../run/json-answer.js";
import { parseRequestedSettings } from "../../run/run-settings.js";
import { fromOpenWebUI } from "../../open-webui/request.js";
import { startTaskRun } from "../../chat-uis/task-run.js";
import { threadIdOf } from "../../threads/thread-id.js";
import { chatThreadRequest } from "../../threads/thread-mode.js";
import { toLangChainMessages, toRequestContext } from "./convert.js";
import { chunkSse, foldChunks, toChunks } from "./render.js";
import type { ChatCompletionRequest } from "./schemas.js";
import { parseChatRequest } from "./validate.js";

/**
 * A JSON `response_format` that the graph answers in plain text: the answer goes to the
 * client as it is, as OpenAI's does (see the README), and the operator hears of it.
 */
function watchJsonFormat(c: Context, deps: RequestRunDeps, request: ChatCompletionRequest, events: AsyncIterable<RunEvent>): AsyncIterable<RunEvent> {
  const format = request.response_format?.type;
  if (format !== "json_object" && format !== "json_schema") return events;
  return noticeNonJsonAnswer(events, (text) =>
    deps.logger?.warn(
      { requestId: c.get("requestId"), model: c.get("model"), responseFormat: format, answerStart: text.slice(0, 80) },
      `response_format ${format} asked for JSON, and the graph's answer is not JSON (does its node use bindChatRequest?)`,
    ),
  );
}

export function chatCompletions(registry: Registry, deps: RequestRunDeps) {
  return async (c: Context): Promise<Response> => {
    const body = await readJsonBody(c);
    refuseLongArray(body, "messages", deps.limits.maxMessages);
    const request = parseChatRequest(body);
    const entry = registry.get(request.model);
    if (!entry || !canUseModel(c, entry.id)) throw new ModelNotFoundError(request.model);
    c.set("model", entry.id);
    const header = (name: string) => c.req.header(name);
    const messages = toLangChainMessages(request.messages);
    const context = toRequestContext(request);
    const openWebUI = entry.settings.open_webui?.events ?? fromOpenWebUI(c.req.raw.headers);
    const run =
      (await startTaskRun(c, registry, deps, { entry, messages, request: context, streamed: request.stream === true })) ??
      (await startRequestRun(c, deps, {
        entry,
        messages,
        thread: chatThreadRequest(threadIdOf(header, request.metadata), header, request.metadata, entry.settings),
        request: context,
        settings: parseRequestedSettings(body),
        streamed: request.stream === true,
        stopSequences: typeof request.stop === "string" ? [request.stop] : request.stop,
        // vLLM's and OpenRouter's switch: `false` leaves `reasoning_content` out.
        steps: request.include_reasoning !== false,
        announce: openWebUI,
      }));
    const meta = { id: `chatcmpl-${randomUUID().replaceAll("-", "")}`, created: Math.floor(Date.now() / 1000), model: entry.id };
    const includeUsage = !request.stream || request.stream_options?.include_usage === true;
    const chatUI = entry.settings.chat_ui;
    const chunks = toChunks(watchJsonFormat(c, deps, request, run.events), meta, {
      includeUsage,
      openWebUI,
      thinkTags: chatUI?.reasoning === "think_tags",
      errorNotice: chatUI?.error_notice === true ? (error) => forClient(c, error).message : undefined,
    });
    if (!request.stream) return respondJson(c, foldChunks(chunks), run.respondOptions);
    return respondStream(c, chunks, chunkSse, run.respondOptions);
  };
}
