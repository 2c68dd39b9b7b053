/**
 * The Hono app: middleware and routes. Each protocol's data path lives in its folder
 * under `protocols/`.
 */
import type { BaseCheckpointSaver, BaseStore } from "@langchain/langgraph";
import { Hono } from "hono";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import type { Logger } from "pino";
import { databaseOutageLog } from "./database-outage.js";
import { DatabaseUnavailableError, ThreadLoadError, toApiError, toErrorBody, UnknownUrlError, type ApiError } from "./errors.js";
import { packageLangGraph } from "./langgraph-copy.js";
import { DEFAULT_COST_LIMITS, type CostLimits } from "./limits.js";
import { createLogger } from "./logger.js";
import { createMetrics } from "./metrics.js";
import { boundedMemorySaver } from "./memory-checkpointer.js";
import { apiKeyAuth, type ApiKey } from "./middleware/auth.js";
import { forClient } from "./http/respond.js";
import { bodyLimit } from "./middleware/body-limit.js";
import { hostGuard, loopbackOrigin } from "./middleware/browser-guard.js";
import { requestLog } from "./middleware/request-log.js";
import type { Registry } from "./registry.js";
import { agUiRun } from "./protocols/ag-ui/route.js";
import { chatCompletions } from "./protocols/chat-completions/route.js";
import { CallsInFlight } from "./protocols/mcp/calls-in-flight.js";
import { mcpRoute, mcpWithoutSession } from "./protocols/mcp/route.js";
import { responseIds } from "./protocols/responses/response-id.js";
import { responseSecret } from "./protocols/responses/response-secret.js";
import { createResponse, deleteStoredResponse, retrieveResponse } from "./protocols/responses/route.js";
import { playground } from "./playground/route.js";
import { graphRoute } from "./routes/graph.js";
import { metricsRoute } from "./routes/metrics.js";
import { modelRoutes } from "./routes/models.js";
import { threadStateRoute } from "./routes/thread-state.js";
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
  /** Scope threads by the user id a front end's key forwards in `X-OpenWebUI-User-Id` too (see `threads/owner.ts`). */
  scopeThreadsByUser?: boolean;
  /**
   * Tell clients a graph's error text (for development). By default they get a generic
   * message with the request id, as the text may name hosts, files or keys; the log has it all.
   */
  showGraphErrors?: boolean;
  /**
   * Called with every error that became a 5xx, with its cause. By default it is logged with
   * its stack; a 503 as a warning, and a database out of reach once per outage (`database-outage.ts`).
   */
  onServerError?: (error: ApiError, cause: unknown) => void;
  /** With any key, every route but `/health` (and the playground page's files) needs `Authorization: Bearer KEY`. */
  apiKeys?: ApiKey[];
  /**
   * Origins a browser may call from (`*` for any). When empty or absent: any origin with
   * API keys, only loopback pages (`http://localhost:*`, ...) without (see `middleware/browser-guard.ts`).
   */
  corsOrigins?: string[];
  /**
   * Refuse (403) requests for any host name but `localhost`, an IP address and these.
   * `serve()` turns it on (with none) when bound to a loopback address, against DNS rebinding.
   */
  allowedHosts?: string[];
  /** Request logs and 5xx stacks; by default JSON lines on stdout at `$LOG_LEVEL` or info. */
  logger?: Logger;
  /** Serve Prometheus metrics at `GET /metrics` (default true). */
  metrics?: boolean;
  /** Serve the playground page at `GET /` to browsers (default true). */
  playground?: boolean;
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

/** The origins the operator names; else any with keys (each call needs one), else only pages on this machine. */
function corsOrigin({ corsOrigins, apiKeys }: AppOptions): string | string[] | typeof loopbackOrigin {
  if (corsOrigins?.includes("*")) return "*";
  if (corsOrigins?.length) return corsOrigins;
  return apiKeys?.length ? "*" : loopbackOrigin;
}

export function createApp(registry: Registry, options: AppOptions = {}): Hono {
  // The graphs' own LangGraph makes what the app keeps for them (the first graph's, should
  // graphs of one config import different copies: their checkpoints are alike within 1.x).
  const langgraph = registry.values().next().value?.langgraph ?? packageLangGraph();
  const checkpointer = options.checkpointer ?? boundedMemorySaver(langgraph);
  const limit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const logger = options.logger ?? createLogger();
  const runs = options.runs ?? new RunTracker(options);
  const metrics = options.metrics === false ? undefined : createMetrics(runs, { processMetrics: options.processMetrics });
  const outage = databaseOutageLog(logger);
  const onServerError = (error: ApiError, cause: unknown, requestId?: string) => {
    if (options.onServerError) options.onServerError(error, cause);
    else if (error instanceof DatabaseUnavailableError) outage.report(cause, requestId);
    // Stopping, or a thread lock lost: the server declines for now, as meant; the client may retry.
    else if (error.status === 503) logger.warn({ code: error.code, requestId }, error.message);
    else logger.error({ err: cause, code: error.code, requestId, ...(error instanceof ThreadLoadError && { threadId: error.threadId }) }, error.message);
  };
  // Not strict: `/v1/chat/completions/` is the same route, as a client whose base URL ends in `/` asks for it.
  const app = new Hono({ strict: false });

  app.onError((error, c) => {
    const apiError = toApiError(error);
    if (apiError.status >= 500) onServerError(apiError, apiError.cause ?? error, c.get("requestId"));
    c.set("errorCode", apiError.code ?? apiError.type);
    return c.json(toErrorBody(forClient(c, apiError)), apiError.status as 500, apiError.headers);
  });
  app.notFound((c) => {
    const error = new UnknownUrlError(c.req.method, c.req.path);
    c.set("errorCode", error.code!);
    return c.json(toErrorBody(error), 404);
  });

  app.use(requestId());
  if (options.showGraphErrors) {
    app.use(async (c, next) => {
      c.set("showGraphErrors", true);
      return next();
    });
  }
  // Any requested header is allowed, as vLLM's `allow_headers=["*"]`: Authorization, the
  // thread headers, Open WebUI's `X-OpenWebUI-*` and the openai SDK's `X-Stainless-*`.
  app.use(cors({ origin: corsOrigin(options), exposeHeaders: EXPOSED_HEADERS }));
  app.use(requestLog(logger, { onSummary: metrics?.recordRequest, quietPaths: ["/health", "/metrics"] }));
  if (options.allowedHosts) app.use(hostGuard(options.allowedHosts));
  // Before the key check: the page holds no data and asks for a key when the API needs one.
  if (options.playground !== false) app.use(playground());
  if (options.apiKeys?.length) app.use(apiKeyAuth(options.apiKeys, { public: ["/health"] }));
  app.use(threadOwnerMiddleware({ scopeThreadsByUser: options.scopeThreadsByUser }));

  app.get("/health", (c) => c.json({ status: "ok" }));
  if (metrics) app.get("/metrics", metricsRoute(metrics.registry));
  app.route("/v1", modelRoutes(registry));
  app.get("/graphs/:model{.+}", graphRoute(registry));
  app.get("/threads/:thread/state", threadStateRoute(registry, checkpointer));
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
  app.post("/mcp", bodyLimit(limit), mcpRoute(registry, { ...runDeps, calls: new CallsInFlight() }));
  app.on(["GET", "DELETE"], "/mcp", mcpWithoutSession);
  app.post("/ag-ui/:model", bodyLimit(limit), agUiRun(registry, runDeps));

  return app;
}
