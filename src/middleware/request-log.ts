/**
 * One structured log line per request, written when the answer is complete (for a
 * stream: when its last event is sent), with what the run did. Metrics read the same
 * summary.
 */
import { performance } from "node:perf_hooks";
import type { Context, MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import type { RunRecord } from "../run-tracker.js";

declare module "hono" {
  interface ContextVariableMap {
    /** The model a request names, once it is known to exist (a metrics label, so never a client's free text). */
    model: string | undefined;
    /** Set by a route that runs a graph. */
    run: RunRecord | undefined;
    /** The OpenAI error code of an error answer. */
    errorCode: string | undefined;
  }
}

export interface RequestSummary {
  requestId: string;
  method: string;
  path: string;
  status: number;
  model?: string;
  durationMs: number;
  timeToFirstTokenMs?: number;
  promptTokens?: number;
  completionTokens?: number;
  /** The error code of an error answer, or how a streamed run ended instead of finishing (`run_timeout`). */
  errorCode?: string;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

function summarize(c: Context, startedAt: number, status: number): RequestSummary {
  const run = c.get("run");
  const errorCode = c.get("errorCode") ?? run?.error;
  return {
    requestId: c.get("requestId"),
    method: c.req.method,
    path: c.req.path,
    status,
    ...(c.get("model") && { model: c.get("model") }),
    ...(run && {
      ...(run.firstTokenAt !== undefined && { timeToFirstTokenMs: round(run.firstTokenAt - startedAt) }),
      ...(run.usage && { promptTokens: run.usage.input_tokens, completionTokens: run.usage.output_tokens }),
    }),
    ...(errorCode && { errorCode }),
    durationMs: round(performance.now() - startedAt),
  };
}

export interface RequestLogOptions {
  /** Called with every summary (metrics count requests from it). */
  onSummary?: (summary: RequestSummary) => void;
  /** Paths probed every few seconds (health checks, scrapes): logged at debug when they succeed. */
  quietPaths?: string[];
}

export function requestLog(logger: Logger, options: RequestLogOptions = {}): MiddlewareHandler {
  const quiet = new Set(options.quietPaths);
  return async (c, next) => {
    const startedAt = performance.now();
    await next();
    const status = c.res.status;
    const write = () => {
      const summary = summarize(c, startedAt, status);
      options.onSummary?.(summary);
      const failed = status >= 500 || (summary.errorCode !== undefined && status < 400 && summary.errorCode !== "client_closed");
      // A 503 declines for now (stopping, the database away): a warning, as the client may retry.
      const level = status === 503 ? "warn" : failed ? "error" : quiet.has(summary.path) && status < 400 ? "debug" : "info";
      logger[level](summary, `${summary.method} ${summary.path} ${status}`);
    };
    const run = c.get("run");
    // A streamed answer has only begun when the handler returns.
    if (run && run.endedAt === undefined) void run.ended.then(write);
    else write();
  };
}
