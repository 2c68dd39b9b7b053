/**
 * RunEvents -> AG-UI events, in the order `@ag-ui/client` checks: `RUN_STARTED` first;
 * text, reasoning and steps opened and closed around what they hold; every open message
 * and step closed before `STATE_SNAPSHOT`, `MESSAGES_SNAPSHOT` and `RUN_FINISHED`, which
 * the client refuses otherwise.
 *
 * Message ids are the thread's (see `messageId` on the run's text events), so the
 * messages the client streams are those the closing `MESSAGES_SNAPSHOT` lists, and those
 * it sends back next run. An interrupt's question is not a message: the thread holds
 * none, and `RUN_FINISHED`'s interrupt outcome carries it. A state key a node sets goes
 * out at once as `STATE_DELTA` where the run knows the value it will hold (a key without
 * a reducer); the closing `STATE_SNAPSHOT` has every key.
 */
import { EventType, type JsonPatchOperation, type TokenUsage } from "@ag-ui/core";
import type { BaseMessage } from "@langchain/core/messages";
import { randomUUID } from "node:crypto";
import { toErrorBody } from "../../errors.js";
import type { SseFormat } from "../../http/respond.js";
import type { ClientToolCall, Interrupt, RunEvent, Usage } from "../../run/events.js";
import { interruptText } from "../../run/interrupt-text.js";
import { jsonSafe } from "../../run/json-safe.js";
import { toOpenAIToolCalls } from "../chat-completions/convert.js";
import { toAgUiMessages } from "./convert.js";
import type { AGUIEvent, Interrupt as AgUiInterrupt } from "./schemas.js";

export interface RenderOptions {
  threadId: string;
  runId: string;
  /** The model's id, for the run's token usage. */
  model: string;
  /**
   * Whether the client speaks AG-UI 1.0 (it sends `protocolVersion`): only then does a
   * success outcome list `pendingToolCallIds`, which the 0.0.x clients (the one
   * `@copilotkit/runtime` 1.75 bundles) refuse as an unknown key. Both find the calls
   * left to them without it, as the tool calls no result followed.
   */
  listPendingToolCalls: boolean;
}

/** What AG-UI calls an interrupt's reason when the graph's value names none. */
const DEFAULT_INTERRUPT_REASON = "input_required";

function toAgUiInterrupt(interrupt: Interrupt, index: number): AgUiInterrupt {
  const { value } = interrupt;
  const reason = value !== null && typeof value === "object" ? (value as { reason?: unknown }).reason : undefined;
  return {
    // LangGraph 1.x gives every interrupt an id; a resume by id needs one.
    id: interrupt.id ?? String(index),
    reason: typeof reason === "string" ? reason : DEFAULT_INTERRUPT_REASON,
    message: interruptText([interrupt]),
    // The client keeps unknown fields of an interrupt out; metadata is open by key.
    metadata: { value: jsonSafe(value) ?? null },
  };
}

function toTokenUsage(usage: Usage, model: string): TokenUsage {
  return { model, inputTokens: usage.input_tokens, outputTokens: usage.output_tokens, totalTokens: usage.total_tokens };
}

/** Whether a graph state key belongs in AG-UI's `state`: not `messages` (AG-UI's own field) nor LangGraph's own keys (`__interrupt__`). */
export function isAgUiStateKey(key: string): boolean {
  return key !== "messages" && !key.startsWith("__");
}

/** The graph's values, but its messages (sent as `MESSAGES_SNAPSHOT`) and LangGraph's own keys, as JSON. */
export function stateSnapshot(values: Record<string, unknown>): Record<string, unknown> {
  const snapshot: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (!isAgUiStateKey(key)) continue;
    const safe = jsonSafe(value);
    if (safe !== undefined) snapshot[key] = safe;
  }
  return snapshot;
}

/** JSON Patch for keys that now hold these values: `add` sets a member whether or not it was there. */
function stateDelta(values: Record<string, unknown>): JsonPatchOperation[] {
  return Object.entries(values).flatMap(([key, value]): JsonPatchOperation[] => {
    const safe = jsonSafe(value);
    return safe === undefined ? [] : [{ op: "add", path: `/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`, value: safe }];
  });
}

function toolCallEvents(call: { id: string; name: string; args: string }, parentMessageId: string | undefined): AGUIEvent[] {
  return [
    { type: EventType.TOOL_CALL_START, toolCallId: call.id, toolCallName: call.name, ...(parentMessageId !== undefined && { parentMessageId }) },
    { type: EventType.TOOL_CALL_ARGS, toolCallId: call.id, delta: call.args },
    { type: EventType.TOOL_CALL_END, toolCallId: call.id },
  ];
}

function clientToolCalls(calls: readonly ClientToolCall[]): { id: string; name: string; args: string }[] {
  return toOpenAIToolCalls(calls).map((call) => ({ id: call.id, name: call.function.name, args: call.function.arguments }));
}

function argumentsText(args: unknown): string {
  return typeof args === "string" ? args : (JSON.stringify(args ?? {}) ?? "{}");
}

export async function* toAgUiEvents(events: AsyncIterable<RunEvent>, options: RenderOptions): AsyncGenerator<AGUIEvent> {
  const ids = { threadId: options.threadId, runId: options.runId };
  yield { type: EventType.RUN_STARTED, threadId: ids.threadId, runId: ids.runId };
  /** The text message being streamed. */
  let text: string | undefined;
  /** The assistant message a graph tool call belongs to: the last one streamed, until a tool's result. */
  let speaker: string | undefined;
  /** The reasoning message being streamed, and the message whose reasoning it is. */
  let reasoning: { id: string; of: string } | undefined;
  const steps: string[] = [];
  const pendingToolCallIds: string[] = [];
  let interrupts: Interrupt[] | undefined;
  let values: Record<string, unknown> | undefined;
  let usage: Usage | undefined;

  function* closeText(): Generator<AGUIEvent> {
    if (text === undefined) return;
    yield { type: EventType.TEXT_MESSAGE_END, messageId: text };
    text = undefined;
  }
  function* closeReasoning(): Generator<AGUIEvent> {
    if (reasoning === undefined) return;
    yield { type: EventType.REASONING_MESSAGE_END, messageId: reasoning.id };
    yield { type: EventType.REASONING_END, messageId: reasoning.id };
    reasoning = undefined;
  }

  for await (const event of events) {
    switch (event.type) {
      case "text":
        // The paragraph break between two messages is no text of either; the question is the interrupt's.
        if (event.messageId === undefined || event.question) break;
        // Per token: no generator (and no await) when nothing is open.
        if (reasoning !== undefined) yield* closeReasoning();
        if (text !== event.messageId) {
          yield* closeText();
          text = speaker = event.messageId;
          yield { type: EventType.TEXT_MESSAGE_START, messageId: text, role: "assistant" };
        }
        yield { type: EventType.TEXT_MESSAGE_CONTENT, messageId: text, delta: event.text };
        break;
      case "reasoning":
        if (event.messageId === undefined) break;
        if (text !== undefined) yield* closeText();
        if (reasoning?.of !== event.messageId) {
          yield* closeReasoning();
          reasoning = { id: randomUUID(), of: event.messageId };
          yield { type: EventType.REASONING_START, messageId: reasoning.id };
          yield { type: EventType.REASONING_MESSAGE_START, messageId: reasoning.id, role: "reasoning" };
        }
        yield { type: EventType.REASONING_MESSAGE_CONTENT, messageId: reasoning.id, delta: event.text };
        break;
      case "step": {
        const { step } = event;
        if (step.kind === "node") {
          steps.push(step.name);
          yield { type: EventType.STEP_STARTED, stepName: step.name };
        } else if (step.kind === "tool_call") {
          yield* closeText();
          yield* closeReasoning();
          yield* toolCallEvents({ id: step.id, name: step.name, args: argumentsText(step.args) }, speaker);
        } else if (step.kind === "tool_result") {
          speaker = undefined;
          yield { type: EventType.TOOL_CALL_RESULT, messageId: step.messageId ?? randomUUID(), toolCallId: step.id, content: step.output, role: "tool" };
        } else {
          yield { type: EventType.CUSTOM, name: "progress", value: step.text };
        }
        break;
      }
      case "node_finished": {
        const open = steps.lastIndexOf(event.name);
        if (open < 0) break;
        steps.splice(open, 1);
        yield { type: EventType.STEP_FINISHED, stepName: event.name };
        break;
      }
      case "citation":
        yield { type: EventType.CUSTOM, name: "citation", value: event.citation };
        break;
      case "tool_calls":
        yield* closeText();
        yield* closeReasoning();
        for (const call of clientToolCalls(event.toolCalls)) {
          pendingToolCallIds.push(call.id);
          yield* toolCallEvents(call, event.messageId ?? speaker);
        }
        break;
      case "interrupt":
        interrupts = event.interrupts;
        break;
      case "state_changed": {
        const delta = stateDelta(event.values);
        if (delta.length > 0) yield { type: EventType.STATE_DELTA, delta };
        break;
      }
      case "values":
        values = event.values;
        break;
      case "usage":
        usage = event.usage;
        break;
      case "queued":
      case "started":
      case "truncated":
        break;
    }
  }
  yield* closeText();
  yield* closeReasoning();
  for (const name of steps.reverse()) yield { type: EventType.STEP_FINISHED, stepName: name };
  if (values) {
    yield { type: EventType.STATE_SNAPSHOT, snapshot: stateSnapshot(values) };
    if (Array.isArray(values.messages)) yield { type: EventType.MESSAGES_SNAPSHOT, messages: toAgUiMessages(values.messages as BaseMessage[]) };
  }
  yield {
    type: EventType.RUN_FINISHED,
    threadId: ids.threadId,
    runId: ids.runId,
    outcome: interrupts?.length
      ? { type: "interrupt", interrupts: interrupts.map(toAgUiInterrupt) }
      : { type: "success", ...(options.listPendingToolCalls && pendingToolCallIds.length > 0 && { pendingToolCallIds }) },
    ...(usage && { usage: [toTokenUsage(usage, options.model)] }),
  };
}

/** AG-UI's SSE framing, as `HttpAgent` reads it: `data:` lines, no end marker, and a failure as `RUN_ERROR`. */
export const agUiSse: SseFormat<AGUIEvent> = {
  event: (event) => `data: ${JSON.stringify(event)}\n\n`,
  end: "",
  error: (error) => {
    const { message, code, type } = toErrorBody(error).error;
    return `data: ${JSON.stringify({ type: EventType.RUN_ERROR, message, code: code ?? type })}\n\n`;
  },
};
