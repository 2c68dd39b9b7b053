/**
 * The Hono app: routes and middleware. The data path of a chat completion is
 * request -> validate -> convert -> run -> events -> render -> response, and the
 * streamed and non-streamed answers share all of it but the last step.
 */
import { randomUUID } from "node:crypto";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { MemorySaver } from "@langchain/langgraph";
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { streamSSE } from "hono/streaming";
import { toLangChainMessages } from "./convert.ts";
import {
  ApiError,
  ClientClosedError,
  InvalidRequestError,
  ModelNotFoundError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  toApiError,
  toErrorBody,
} from "./errors.ts";
import type { Model } from "./openai/schemas.ts";
import { parseChatRequest } from "./openai/validate.ts";
import type { Registry } from "./registry.ts";
import { foldChunks, toChunks } from "./render.ts";
import { toRequestContext } from "./request-context.ts";
import { runGraph } from "./run.ts";

export interface AppOptions {
  /** Largest accepted request body, in bytes. */
  bodyLimit?: number;
  /** Where runs keep their state; needed for `interrupt()`. */
  checkpointer?: BaseCheckpointSaver;
  /** Called with every error that became a 5xx, with its cause. */
  onServerError?: (error: ApiError, cause: unknown) => void;
}

export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;

function toModel(id: string, created: number, ownedBy = "langgraph-openai", description?: string): Model {
  return { id, object: "model", created, owned_by: ownedBy, ...(description && { description }) };
}

async function readJson(c: Context): Promise<unknown> {
  const contentType = c.req.header("content-type");
  if (contentType && !/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) {
    throw new UnsupportedMediaTypeError(contentType);
  }
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidRequestError(
      "We could not parse the JSON body of your request. The API expects a JSON payload, but what was sent was not valid JSON.",
    );
  }
}

export function createApp(registry: Registry, options: AppOptions = {}): Hono {
  const checkpointer = options.checkpointer ?? new MemorySaver();
  const limit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const app = new Hono();

  app.onError((error, c) => {
    const apiError = toApiError(error);
    if (apiError.status >= 500) options.onServerError?.(apiError, apiError.cause ?? error);
    return c.json(toErrorBody(apiError), apiError.status as 500, apiError.headers);
  });
  app.notFound((c) => {
    const error = new NotFoundError(`Invalid URL (${c.req.method} ${c.req.path})`, "unknown_url");
    return c.json(toErrorBody(error), 404);
  });

  app.get("/health", (c) => c.json({ status: "ok" }));

  app.get("/v1/models", (c) =>
    c.json({
      object: "list",
      data: [...registry.values()].map((e) => toModel(e.id, e.created, e.settings.owned_by, e.settings.description)),
    }),
  );

  app.get("/v1/models/:id{.+}", (c) => {
    const entry = registry.get(c.req.param("id"));
    if (!entry) throw new ModelNotFoundError(c.req.param("id"));
    return c.json(toModel(entry.id, entry.created, entry.settings.owned_by, entry.settings.description));
  });

  app.post(
    "/v1/chat/completions",
    bodyLimit({
      maxSize: limit,
      onError: () => {
        throw new PayloadTooLargeError(limit);
      },
    }),
    async (c) => {
      const request = parseChatRequest(await readJson(c));
      const entry = registry.get(request.model);
      if (!entry) throw new ModelNotFoundError(request.model);
      const messages = toLangChainMessages(request.messages);

      const controller = new AbortController();
      const clientLeft = () => controller.abort();
      c.req.raw.signal.addEventListener("abort", clientLeft, { once: true });
      const threadId = randomUUID();
      const cleanup = async () => {
        c.req.raw.signal.removeEventListener("abort", clientLeft);
        await checkpointer.deleteThread(threadId);
      };

      const events = runGraph({
        entry,
        input: { messages },
        threadId,
        request: toRequestContext(request),
        signal: controller.signal,
      });
      const meta = { id: `chatcmpl-${randomUUID().replaceAll("-", "")}`, created: Math.floor(Date.now() / 1000), model: entry.id };

      if (!request.stream) {
        try {
          return c.json(await foldChunks(toChunks(events, meta, true)));
        } finally {
          await cleanup();
        }
      }

      const chunks = toChunks(events, meta, request.stream_options?.include_usage === true);
      // Wait for the first chunk before answering, so a graph that fails at once
      // still gets a plain HTTP error status rather than an error inside a 200 stream.
      let first: IteratorResult<unknown>;
      try {
        first = await chunks.next();
      } catch (error) {
        await cleanup();
        throw error;
      }
      return streamSSE(c, async (stream) => {
        stream.onAbort(() => controller.abort());
        try {
          if (!first.done) await stream.writeSSE({ data: JSON.stringify(first.value) });
          for await (const chunk of chunks) {
            await stream.writeSSE({ data: JSON.stringify(chunk) });
          }
          await stream.writeSSE({ data: "[DONE]" });
        } catch (error) {
          // openai-node and the AI SDK read `{"error": ...}` in a data line as a failed stream.
          const apiError = toApiError(error);
          if (apiError.status >= 500) options.onServerError?.(apiError, apiError.cause ?? error);
          if (!(apiError instanceof ClientClosedError)) {
            await stream.writeSSE({ data: JSON.stringify(toErrorBody(apiError)) });
          }
        } finally {
          await cleanup();
        }
      });
    },
  );

  return app;
}
