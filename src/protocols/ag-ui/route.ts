/**
 * `POST /ag-ui/{model}`: AG-UI's `RunAgentInput` -> validate -> convert -> run -> events
 * -> render -> Server-Sent Events, on the same run core as chat completions: the same
 * keys and model permissions, limits, run tracking and metrics. The body's `threadId`
 * is the thread `X-Thread-Id` names on the OpenAI routes (scoped to the key's tenant),
 * so a conversation goes on from either; it wins over an `X-Thread-Id` a front end
 * forwards. AG-UI clients resend the whole conversation every run, as chat UIs do: the
 * thread runs what it has not seen, or forks where the histories part.
 */
import type { Context } from "hono";
import { InvalidRequestError, ModelNotFoundError } from "../../errors.js";
import { readJsonBody } from "../../http/read-body.js";
import { respondStream } from "../../http/respond.js";
import { refuseLongArray } from "../../limits.js";
import { canUseModel } from "../../middleware/auth.js";
import type { ModelEntry, Registry } from "../../registry.js";
import { startRequestRun, type RequestRunDeps } from "../../request-run.js";
import { allows, parseRequestedSettings, type RequestedSettings } from "../../run/run-settings.js";
import { threadIdProblem } from "../../threads/thread-id.js";
import { toLangChainMessages, toRequestContext } from "./convert.js";
import { agUiSse, isAgUiStateKey, toAgUiEvents } from "./render.js";
import type { RunAgentInput } from "./schemas.js";
import { parseRunAgentInput } from "./validate.js";

/** `forwardedProps.configurable` and `.context`, under the model's allow lists as a chat request's. */
function forwardedSettings(input: RunAgentInput): RequestedSettings {
  const props: unknown = input.forwardedProps;
  if (props === null || typeof props !== "object" || Array.isArray(props)) return {};
  return parseRequestedSettings(props);
}

/**
 * The answers of `resume`, by interrupt id. A cancelled interrupt gets none: the run goes
 * on as a chat client's would (its new message, if any, answers the interrupt).
 */
function resumeMap(input: RunAgentInput): Record<string, unknown> | undefined {
  const answered = (input.resume ?? []).filter((entry) => entry.status === "resolved");
  return answered.length > 0 ? Object.fromEntries(answered.map((entry) => [entry.interruptId, entry.payload ?? null])) : undefined;
}

/**
 * The client's `state`, limited to the keys the model's `allow_state` names. Others are
 * left out rather than refused: a client sends back the whole state it was last sent.
 * The messages are the `messages` field's.
 */
function allowedState(input: RunAgentInput, entry: ModelEntry): Record<string, unknown> | undefined {
  const state: unknown = input.state;
  if (state === null || typeof state !== "object" || Array.isArray(state)) return undefined;
  // LangGraph's own keys (`__interrupt__`) are never the client's, even under "*".
  const kept = Object.entries(state).filter(([key]) => isAgUiStateKey(key) && allows(entry.settings.allow_state, key));
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

export function agUiRun(registry: Registry, deps: RequestRunDeps) {
  return async (c: Context): Promise<Response> => {
    const model = c.req.param("model")!;
    const body = await readJsonBody(c);
    refuseLongArray(body, "messages", deps.limits.maxMessages);
    const input = parseRunAgentInput(body);
    const entry = registry.get(model);
    if (!entry || !canUseModel(c, entry.id)) throw new ModelNotFoundError(model);
    c.set("model", entry.id);
    const problem = threadIdProblem(input.threadId);
    if (problem) throw new InvalidRequestError(`Invalid 'threadId': ${problem}.`, "threadId");
    const run = await startRequestRun(c, deps, {
      entry,
      messages: toLangChainMessages(input.messages),
      thread: { mode: "history", threadId: input.threadId, resume: resumeMap(input), state: allowedState(input, entry) },
      request: toRequestContext(input, entry.id),
      settings: forwardedSettings(input),
      streamed: true,
      nodeSteps: true,
    });
    const events = toAgUiEvents(run.events, {
      threadId: input.threadId,
      runId: input.runId,
      model: entry.id,
      listPendingToolCalls: input.protocolVersion !== undefined,
    });
    return respondStream(c, events, agUiSse, run.respondOptions);
  };
}
