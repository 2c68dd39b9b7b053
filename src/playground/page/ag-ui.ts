/**
 * The chat on `POST /ag-ui/{model}` (AG-UI's `RunAgentInput` in, its events out), which
 * tells each node as it starts (`STEP_STARTED`), the graph's own tool calls and their
 * results, and ends with the thread's messages and the run's outcome: done, or waiting
 * at an interrupt. AG-UI clients send the whole conversation every run, as the thread's
 * last `MESSAGES_SNAPSHOT` has it, plus the new message; after an interrupt the new
 * message is the answer, and the graph resumes on the same thread.
 */
import { apiFetch, errorMessage } from "./api.js";
import type { ChatEvent, ChatRequest } from "./chat-events.js";
import { randomId } from "./dom.js";
import { sseData } from "./sse.js";

/** An AG-UI message, as far as the page keeps it to send back. */
export interface AgUiMessage {
  id: string;
  role: string;
  content?: unknown;
  toolCalls?: { id: string; type: "function"; function: { name: string; arguments: string } }[];
  toolCallId?: string;
}

/** A message of the thread's state (`GET /threads/{id}/state`). */
export interface StateMessage {
  type: string;
  content: unknown;
  id?: string;
  tool_calls?: { id?: string; name: string; args: unknown }[];
  tool_call_id?: string;
}

interface AgUiEvent {
  type: string;
  delta?: string;
  stepName?: string;
  toolCallId?: string;
  toolCallName?: string;
  content?: string;
  name?: string;
  value?: unknown;
  message?: string;
  messages?: AgUiMessage[];
  outcome?: { type: string; interrupts?: { message?: string }[] };
  usage?: { inputTokens: number; outputTokens: number }[];
}

/** Each thread's conversation as the server last listed it. */
const histories = new Map<string, AgUiMessage[]>();

const ROLES: Record<string, string> = { human: "user", ai: "assistant", tool: "tool", system: "system" };

/** A thread continued by id: its conversation from its state, to send with the next message. */
export function continueFromState(threadId: string, messages: readonly StateMessage[]): void {
  histories.set(
    threadId,
    messages.flatMap((message): AgUiMessage[] => {
      const role = ROLES[message.type];
      if (!role || message.id === undefined) return [];
      const toolCalls = message.tool_calls?.map((call) => ({
        id: call.id ?? "",
        type: "function" as const,
        function: { name: call.name, arguments: JSON.stringify(call.args ?? {}) },
      }));
      return [{ id: message.id, role, content: message.content, ...(toolCalls?.length && { toolCalls }), ...(message.tool_call_id !== undefined && { toolCallId: message.tool_call_id }) }];
    }),
  );
}

export async function* agUiTransport(request: ChatRequest, signal: AbortSignal): AsyncGenerator<ChatEvent> {
  const messages = [...(histories.get(request.threadId) ?? []), { id: randomId(), role: "user", content: request.text }];
  const input = { threadId: request.threadId, runId: randomId(), messages, tools: [], context: [], state: {}, forwardedProps: {} };
  const response = await apiFetch(`/ag-ui/${encodeURIComponent(request.model)}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
    body: JSON.stringify(input),
    signal,
  });
  if (!response.ok) {
    yield { type: "error", message: await errorMessage(response) };
    return;
  }
  let textMessages = 0;
  for await (const data of sseData(response)) {
    const event = data as AgUiEvent;
    switch (event.type) {
      case "TEXT_MESSAGE_START":
        // Messages of one answer read as paragraphs.
        if (textMessages++ > 0) yield { type: "text", text: "\n\n" };
        break;
      case "TEXT_MESSAGE_CONTENT":
        yield { type: "text", text: event.delta ?? "" };
        break;
      case "REASONING_MESSAGE_CONTENT":
        yield { type: "reasoning", text: event.delta ?? "" };
        break;
      case "STEP_STARTED":
        yield { type: "node", name: event.stepName ?? "" };
        break;
      case "TOOL_CALL_START":
        yield { type: "tool_call", id: event.toolCallId ?? "", name: event.toolCallName ?? "" };
        break;
      case "TOOL_CALL_ARGS":
        yield { type: "tool_args", id: event.toolCallId ?? "", delta: event.delta ?? "" };
        break;
      case "TOOL_CALL_RESULT":
        yield { type: "tool_result", id: event.toolCallId ?? "", content: event.content ?? "" };
        break;
      case "CUSTOM":
        if (event.name === "progress" && typeof event.value === "string") yield { type: "reasoning", text: `${event.value}\n` };
        break;
      case "MESSAGES_SNAPSHOT":
        histories.set(request.threadId, event.messages ?? []);
        break;
      case "RUN_FINISHED": {
        const usage = event.usage?.[0];
        if (usage) yield { type: "usage", usage: { input: usage.inputTokens, output: usage.outputTokens } };
        const interrupts = event.outcome?.type === "interrupt" ? (event.outcome.interrupts ?? []) : [];
        if (interrupts.length) yield { type: "interrupt", question: interrupts.map((interrupt) => interrupt.message ?? "").join("\n\n") };
        break;
      }
      case "RUN_ERROR":
        yield { type: "error", message: event.message ?? "The run failed." };
        return;
    }
  }
}
