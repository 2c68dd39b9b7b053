/**
 * `tools/call`: arguments -> (which thread) -> run -> events -> fold -> tool result. A
 * call without `thread_id` starts a thread of its own and returns its id; with one it
 * continues that thread of the caller's (`threads/owner.ts`), under the same
 * checkpointer and locks as every other route, so the user's answer to an interrupt,
 * sent as the next call's message, resumes the run.
 */
import { randomUUID } from "node:crypto";
import { HumanMessage } from "@langchain/core/messages";
import { ErrorCode, type CallToolResult, type ServerNotification } from "@modelcontextprotocol/sdk/types.js";
import type { Context } from "hono";
import type { z } from "zod";
import { ClientClosedError, InvalidRequestError, toApiError } from "../../errors.js";
import type { ModelEntry } from "../../registry.js";
import { startRequestRun, type RequestRunDeps } from "../../request-run.js";
import { threadOwner } from "../../threads/owner.js";
import { threadIdProblem } from "../../threads/thread-id.js";
import { parseRequest } from "../../invalid-request.js";
import { forClient } from "../../http/respond.js";
import type { CallsInFlight, RequestId } from "./calls-in-flight.js";
import { foldToolAnswer, toolFailure, toolResult } from "./render.js";
import type { ToolArguments } from "./schemas.js";

export interface McpDeps extends RequestRunDeps {
  calls: CallsInFlight;
}

/** What the SDK tells a tool call's handler, as far as a call needs it. */
export interface CallExtra {
  requestId: RequestId;
  signal: AbortSignal;
  _meta?: { progressToken?: string | number };
  sendNotification(notification: ServerNotification): Promise<void>;
}

/**
 * A JSON-RPC error the SDK sends as it is: it sends any thrown error's `code`, `message`
 * and `data`, and an McpError's message would carry its "MCP error -32602:" prefix,
 * which the client's McpError then prefixes again.
 */
class ProtocolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** A model as a tool, built once per model (`mcpRoute`): its entry, and the schema of its calls' arguments. */
export interface ModelTool {
  entry: ModelEntry;
  argumentsSchema: z.ZodType<ToolArguments>;
}

/** A bad argument is the caller's mistake: a protocol error naming it, as a 400 names its `param`. */
export function invalidParams(message: string, param: string | null): ProtocolError {
  return new ProtocolError(ErrorCode.InvalidParams, message, param === null ? undefined : { param });
}

function parseArguments(argumentsSchema: z.ZodType<ToolArguments>, args: unknown): ToolArguments {
  const parsed = parseRequest(argumentsSchema, args ?? {});
  const problem = parsed.thread_id === undefined ? undefined : threadIdProblem(parsed.thread_id);
  if (problem) throw new InvalidRequestError(`Invalid 'thread_id': ${problem}.`, "thread_id");
  return parsed;
}

/** Each step as `notifications/progress`, when the client sent a progress token. */
function progressReporter(extra: CallExtra): ((line: string) => Promise<void>) | undefined {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return undefined;
  let progress = 0;
  return (message) => extra.sendNotification({ method: "notifications/progress", params: { progressToken, progress: ++progress, message } });
}

async function runTool(c: Context, deps: McpDeps, entry: ModelEntry, args: ToolArguments, extra: CallExtra, signal: AbortSignal): Promise<CallToolResult> {
  const threadId = args.thread_id ?? randomUUID();
  const run = await startRequestRun(c, deps, {
    entry,
    messages: [new HumanMessage(args.message)],
    thread: { mode: "continue", threadId },
    request: { model: entry.id },
    settings: { configurable: args.configurable, context: args.context },
    streamed: false,
    signal,
  });
  try {
    return toolResult(await foldToolAnswer(run.events, progressReporter(extra)), threadId);
  } finally {
    await run.respondOptions.cleanup();
  }
}

export async function callModelTool(c: Context, deps: McpDeps, { entry, argumentsSchema }: ModelTool, rawArguments: unknown, extra: CallExtra): Promise<CallToolResult> {
  const controller = new AbortController();
  const cancel = () => controller.abort();
  extra.signal.addEventListener("abort", cancel, { once: true });
  const forget = deps.calls.add(threadOwner(c), extra.requestId, controller);
  try {
    return await runTool(c, deps, entry, parseArguments(argumentsSchema, rawArguments), extra, controller.signal);
  } catch (error) {
    if (error instanceof InvalidRequestError) throw invalidParams(error.message, error.param);
    const apiError = toApiError(error);
    if (apiError instanceof ClientClosedError) throw new ProtocolError(ErrorCode.ConnectionClosed, "The call was cancelled.");
    if (apiError.status >= 500) deps.onServerError?.(apiError, apiError.cause ?? error, c.get("requestId"));
    return toolFailure(forClient(c, apiError).message);
  } finally {
    forget();
    extra.signal.removeEventListener("abort", cancel);
  }
}
