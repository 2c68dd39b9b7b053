/**
 * Typed errors, each with the HTTP status and OpenAI error `type`/`code` a client
 * expects. Thrown anywhere; turned into a response in one place (`toErrorBody`).
 * Mirrors openai-node's `APIError` subclasses, seen from the server side.
 */
import { formatSize } from "./size.js";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidRequestError extends ApiError {
  constructor(message: string, param: string | null = null, code: string | null = null) {
    super(400, "invalid_request_error", message, code, param);
  }
}

export class AuthenticationError extends ApiError {
  constructor(message = "Incorrect API key provided.") {
    super(401, "invalid_request_error", message, "invalid_api_key", null, { "WWW-Authenticate": 'Bearer realm="langgraph-openai"' });
  }
}

export class NotFoundError extends ApiError {
  constructor(message: string, code: string | null = null, param: string | null = null) {
    super(404, "invalid_request_error", message, code, param);
  }
}

/** A route that does not exist, or that the caller's key may not see: OpenAI's own wording. */
export class UnknownUrlError extends NotFoundError {
  constructor(method: string, path: string) {
    super(`Invalid URL (${method} ${path})`, "unknown_url");
  }
}

export class ModelNotFoundError extends NotFoundError {
  constructor(model: string) {
    super(`The model '${model}' does not exist or you do not have access to it.`, "model_not_found", "model");
  }
}

/** A request for a host name the server does not answer to (a DNS rebinding page's, see `middleware/browser-guard.ts`). */
export class HostNotAllowedError extends ApiError {
  constructor(host: string) {
    super(
      403,
      "invalid_request_error",
      `This server does not answer requests for the host '${host}'; its operator may allow it with --allowed-host ${host}.`,
      "host_not_allowed",
    );
  }
}

export class PayloadTooLargeError extends ApiError {
  constructor(limitBytes: number) {
    // The rest of the body stays unread: the connection cannot carry another request.
    super(413, "invalid_request_error", `Request body is larger than the limit of ${formatSize(limitBytes)}.`, "request_too_large", null, {
      Connection: "close",
    });
  }
}

export class UnsupportedMediaTypeError extends ApiError {
  constructor(contentType: string) {
    super(415, "invalid_request_error", `Unsupported Content-Type '${contentType}': send the body as application/json.`, "unsupported_media_type");
  }
}

export class RateLimitError extends ApiError {
  constructor(message: string, retryAfterSeconds: number) {
    super(429, "rate_limit_error", message, "rate_limit_exceeded", null, { "Retry-After": String(retryAfterSeconds) });
  }
}

/** A thread's lock could not be had in time: another request on it runs (here or on another replica). The openai SDK retries a 409. */
export class ThreadBusyError extends ApiError {
  constructor(waitedSeconds: number) {
    super(
      409,
      "conflict_error",
      `This thread is busy with another request, on this server or another replica, for longer than ${waitedSeconds} second${waitedSeconds === 1 ? "" : "s"}; send this request again once that one has finished.`,
      "thread_busy",
      null,
      { "Retry-After": "1" },
    );
  }
}

export class RunTimeoutError extends ApiError {
  constructor(model: string, seconds: number) {
    super(504, "timeout_error", `The run of model '${model}' took longer than ${seconds} second${seconds === 1 ? "" : "s"} and was stopped.`, "run_timeout");
  }
}

export class ServiceUnavailableError extends ApiError {
  constructor(message: string, retryAfterSeconds: number) {
    super(503, "server_error", message, "service_unavailable", null, { "Retry-After": String(retryAfterSeconds) });
  }
}

/** The server is stopping: it takes no new run, and tells a request still waiting for one. */
export class ShuttingDownError extends ServiceUnavailableError {
  constructor() {
    super("The server is shutting down; try again shortly.", 1);
  }
}

/**
 * The database connection that held a run's thread lock failed, so another replica may
 * run the thread now: the run is stopped before it writes again, and its turn not kept.
 */
export class ThreadLockLostError extends ApiError {
  constructor() {
    super(
      503,
      "server_error",
      "The thread lock was lost (its database connection failed), so this run was stopped and its turn not kept; send the request again.",
      "thread_lock_lost",
      null,
      { "Retry-After": "1" },
    );
  }
}

/** How long a client should wait for a database that cannot be reached: a restart or a failover takes seconds. */
const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * The database that keeps threads cannot be reached: down, restarting, failing over, cut
 * off, or slower than the server waits for (see `postgres.ts`). Worth retrying.
 */
export class DatabaseUnavailableError extends ApiError {
  constructor(cause: unknown) {
    super(503, "server_error", "The database that keeps conversations cannot be reached; try again shortly.", "database_unavailable", null, {
      "Retry-After": String(DATABASE_RETRY_AFTER_SECONDS),
    });
    this.cause = cause;
  }
}

/**
 * A thread whose saved state cannot be read back (a value its checkpointer cannot
 * restore, say). Every later turn on it would fail the same way, so the client learns
 * to start over; the thread id and the cause go to the log only.
 */
export class ThreadLoadError extends ApiError {
  constructor(
    readonly threadId: string,
    cause: unknown,
  ) {
    super(
      500,
      "server_error",
      "The conversation's saved thread cannot be loaded: its state could not be read back. Start a new conversation (or use another thread id).",
      "thread_load_failed",
    );
    this.cause = cause;
  }
}

/** The client went away before the answer was done; nobody reads this one. */
export class ClientClosedError extends ApiError {
  constructor() {
    super(499, "client_closed_request", "The client closed the connection before the answer was complete.", "client_closed");
  }
}

/**
 * A graph threw. The whole error (the log has it) is its message; a client is told only
 * which model failed and the request id (`clientError`): a provider's error may name
 * hosts, files or masked keys.
 */
export class GraphRunError extends ApiError {
  constructor(
    readonly model: string,
    cause: unknown,
  ) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(500, "server_error", `The graph behind model '${model}' failed: ${detail}`, "graph_error");
    this.cause = cause;
  }
}

/** What the client is told of `error`: a graph's failure as a generic message with the request id, unless the operator shows the text (`--show-graph-errors`). */
export function clientError(error: ApiError, requestId: string | undefined, showGraphErrors: boolean): ApiError {
  if (!(error instanceof GraphRunError) || showGraphErrors) return error;
  const quoted = requestId ? ` (request id ${requestId})` : "";
  return new ApiError(500, "server_error", `The graph behind model '${error.model}' failed${quoted}; the server's log has the error.`, "graph_error");
}

export class InternalError extends ApiError {
  constructor() {
    super(500, "server_error", "The server had an error while processing your request.", "internal_error");
  }
}

export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function toApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new InternalError();
}

export function toErrorBody(error: ApiError): ErrorBody {
  return { error: { message: error.message, type: error.type, param: error.param, code: error.code } };
}
