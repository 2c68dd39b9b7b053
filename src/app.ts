/**
 * The Hono app: middleware and routes. The chat completion's own data path lives in
 * `routes/chat-completions.ts`.
 */
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { MemorySaver } from "@langchain/langgraph";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { NotFoundError, PayloadTooLargeError, toApiError, toErrorBody, type ApiError } from "./errors.ts";
import type { Registry } from "./registry.ts";
import { chatCompletions } from "./routes/chat-completions.ts";
import { modelRoutes } from "./routes/models.ts";

export interface AppOptions {
  /** Largest accepted request body, in bytes. */
  bodyLimit?: number;
  /** Where runs keep their state; needed for `interrupt()`. */
  checkpointer?: BaseCheckpointSaver;
  /** Called with every error that became a 5xx, with its cause. */
  onServerError?: (error: ApiError, cause: unknown) => void;
}

export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;

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
  app.route("/v1", modelRoutes(registry));
  app.post(
    "/v1/chat/completions",
    bodyLimit({
      maxSize: limit,
      onError: () => {
        throw new PayloadTooLargeError(limit);
      },
    }),
    chatCompletions(registry, { checkpointer, onServerError: options.onServerError }),
  );

  return app;
}
