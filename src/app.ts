/**
 * The Hono app: middleware and routes. Each protocol's data path lives in its folder
 * under `protocols/`.
 */
import type { BaseCheckpointSaver, BaseStore } from "@langchain/langgraph";
import { Hono } from "hono";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import type { Logger } from "pino";
import { ThreadLoadError, toApiError, toErrorBody, UnknownUrlError, type ApiError } from "./errors.js";
import { packageLangGraph } from "./langgraph-copy.js";
import { DEFAULT_COST_LIMITS, type CostLimits } from "./limits.js";
import { createLogger } from "./logger.js";
import { createMetrics } from "./metrics.js";
import { boundedMemorySaver } from "./memory-checkpointer.js";
import { apiKeyAuth, type ApiKey } from "./middleware/auth.js";
import { bodyLimit } from "./middleware/body-limit.js";
import { requestLog } from "./middleware/request-log.js";
import type { Registry } from "./registry.js";
import { chatCompletions } from "./protocols/chat-completions/route.js";
import { responseIds } from "./protocols/responses/response-id.js";
import { responseSecret } from "./protocols/responses/response-secret.js";
import { createResponse, deleteStoredResponse, retrieveResponse } from "./protocols/responses/route.js";
import { metricsRoute } from "./routes/metrics.js";
import { modelRoutes } from "./routes/models.js";
import { RunTracker, type RunTrackerOptions } from "./run-tracker.js";
import { ThreadLocks, type ThreadLocker } from "./threads/locks.js";
import { threadOwnerMiddleware } from "./threads/owner.js";

export interface AppOptions extends RunTrackerOptions, Partial<CostLimits> {
  /** Largest accepted request body, in bytes. */
  bodyLimit?: number;
  /**
   * Where threads keep their state, for graphs compiled without a checkpointer. By
   * default in memory, in a MemorySaver made by the graphs' own LangGraph that keeps a
   * thread's latest checkpoints only (`memory-checkpointer.ts`).
   */
  checkpointer?: BaseCheckpointSaver;
  /**
   * LangGraph's long-term memory across threads (`config.store`), as LangGraph's server
   * gives every run; by default in memory, made by the graphs' own LangGraph; none when null.
   */
  store?: BaseStore | null;
  /** One run at a time per thread; this process's locks by default (`serve()` shares them over Postgres). */
  threadLocks?: ThreadLocker;
  /** Scope threads by the user id a trusted front end forwards in `X-OpenWebUI-User-Id` too (see `threads/owner.ts`). */
  scopeThreadsByUser?: boolean;
  /** Called with every error that became a 5xx, with its cause. By default it is logged with its stack. */
  onServerError?: (error: ApiError, cause: unknown) => void;
  /** With any key, every route but `/health` needs `Authorization: Bearer KEY`. */
  apiKeys?: ApiKey[];
  /** Origins a browser may call from; any origin when empty or absent. */
  corsOrigins?: string[];
  /** Request logs and 5xx stacks; by default JSON lines on stdout at `$LOG_LEVEL` or info. */
  logger?: Logger;
  /** Serve Prometheus metrics at `GET /metrics` (default true). */
  metrics?: boolean;
  /** Add the Node process's own metrics (CPU, memory, event loop) to `/metrics`. */
  processMetrics?: boolean;
  /** The runs in flight; pass one to drain them on a graceful stop (`serve()` does). */
  runs?: RunTracker;
  /**
   * Signs Responses API ids. Without one, the server makes one and keeps it in the
   * checkpointer, so ids outlive restarts on a database checkpointer.
   */
  responseSecret?: string;
}

export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;

/** Headers a browser client may read: the request id to quote in a bug report, and when to retry. */
const EXPOSED_HEADERS = ["X-Request-Id", "Retry-After"];

export function createApp(registry: Registry, options: AppOptions = {}): Hono {
  // The graphs' own LangGraph makes what the app keeps for them (the first graph's, should
  // graphs of one config import different copies: their checkpoints are alike within 1.x).
  const langgraph = registry.values().next().value?.langgraph ?? packageLangGraph();
  const checkpointer = options.checkpointer ?? boundedMemorySaver(langgraph);
  const limit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const logger = options.logger ?? createLogger();
  const runs = options.runs ?? new RunTracker(options);
  const metrics = options.metrics === false ? undefined : createMetrics(runs, { processMetrics: options.processMetrics });
  const onServerError = (error: ApiError, cause: unknown, requestId?: string) => {
    if (options.onServerError) options.onServerError(error, cause);
    else logger.error({ err: cause, code: error.code, requestId, ...(error instanceof ThreadLoadError && { threadId: error.threadId }) }, error.message);
  };
  // Not strict: `/v1/chat/completions/` is the same route, as a client whose base URL ends in `/` asks for it.
  const app = new Hono({ strict: false });

  app.onError((error, c) => {
    const apiError = toApiError(error);
    if (apiError.status >= 500) onServerError(apiError, apiError.cause ?? error, c.get("requestId"));
    c.set("errorCode", apiError.code ?? apiError.type);
    return c.json(toErrorBody(apiError), apiError.status as 500, apiError.headers);
  });
  app.notFound((c) => {
    const error = new UnknownUrlError(c.req.method, c.req.path);
    c.set("errorCode", error.code!);
    return c.json(toErrorBody(error), 404);
  });

  app.use(requestId());
  // Any requested header is allowed, as vLLM's `allow_headers=["*"]`: Authorization, the
  // thread headers, Open WebUI's `X-OpenWebUI-*` and the openai SDK's `X-Stainless-*`.
  app.use(cors({ origin: options.corsOrigins?.length ? options.corsOrigins : "*", exposeHeaders: EXPOSED_HEADERS }));
  app.use(requestLog(logger, { onSummary: metrics?.recordRequest, quietPaths: ["/health", "/metrics"] }));
  if (options.apiKeys?.length) app.use(apiKeyAuth(options.apiKeys, { public: ["/health"] }));
  app.use(threadOwnerMiddleware({ scopeThreadsByUser: options.scopeThreadsByUser }));

  app.get("/health", (c) => c.json({ status: "ok" }));
  if (metrics) app.get("/metrics", metricsRoute(metrics.registry));
  app.route("/v1", modelRoutes(registry));
  const store = options.store === undefined ? new langgraph.InMemoryStore() : (options.store ?? undefined);
  const limits: CostLimits = {
    maxMessages: options.maxMessages ?? DEFAULT_COST_LIMITS.maxMessages,
    maxThreadMessages: options.maxThreadMessages ?? DEFAULT_COST_LIMITS.maxThreadMessages,
    maxThreadSize: options.maxThreadSize ?? DEFAULT_COST_LIMITS.maxThreadSize,
  };
  const runDeps = { checkpointer, store, locks: options.threadLocks ?? new ThreadLocks(), limits, onServerError, runs, logger };
  app.post("/v1/chat/completions", bodyLimit(limit), chatCompletions(registry, runDeps));
  const responsesDeps = { ...runDeps, ids: responseIds(responseSecret({ secret: options.responseSecret, checkpointer })) };
  app.post("/v1/responses", bodyLimit(limit), createResponse(registry, responsesDeps));
  app.get("/v1/responses/:id", retrieveResponse(registry, responsesDeps));
  app.delete("/v1/responses/:id", deleteStoredResponse(registry, responsesDeps));

  return app;
}
