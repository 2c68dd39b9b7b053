/**
 * The chat on `POST /v1/chat/completions`, streamed: the thread named by `X-Thread-Id`,
 * continued with only the new message (`X-Thread-Mode: continue`), as the copied code
 * does too. The agent's steps arrive as `reasoning_content` lines.
 */
import { apiFetch, errorMessage } from "./api.js";
import type { ChatEvent, ChatRequest, Usage } from "./chat-events.js";
import { sseData } from "./sse.js";

export function threadHeaders(request: ChatRequest): Record<string, string> {
  return { "X-Thread-Id": request.threadId, "X-Thread-Mode": "continue" };
}

export function chatCompletionBody(request: ChatRequest): Record<string, unknown> {
  return { model: request.model, messages: [{ role: "user", content: request.text }], stream: true };
}

interface Chunk {
  error?: { message?: string };
  choices?: { delta?: { content?: string | null; reasoning_content?: string; tool_calls?: { index: number; id?: string; function?: { name?: string; arguments?: string } }[] } }[];
  interrupts?: unknown[];
  usage?: Usage | null;
}

/** The node a `Step: NAME` line names (sent for models whose steps include node names). */
const STEP_LINE = /^Step: (.+)$/gm;

export async function* chatCompletionsTransport(request: ChatRequest, signal: AbortSignal): AsyncGenerator<ChatEvent> {
  const response = await apiFetch("/v1/chat/completions", {
    method: "POST",
    headers: { "Content-Type": "application/json", ...threadHeaders(request) },
    body: JSON.stringify({ ...chatCompletionBody(request), stream_options: { include_usage: true } }),
    signal,
  });
  if (!response.ok) {
    yield { type: "error", message: await errorMessage(response) };
    return;
  }
  const toolCallIds: string[] = [];
  for await (const data of sseData(response)) {
    const chunk = data as Chunk;
    if (chunk.error) {
      yield { type: "error", message: chunk.error.message ?? "the stream failed" };
      return;
    }
    const delta = chunk.choices?.[0]?.delta;
    if (delta?.reasoning_content) {
      yield { type: "reasoning", text: delta.reasoning_content };
      for (const [, name] of delta.reasoning_content.matchAll(STEP_LINE)) yield { type: "node", name: name! };
    }
    if (delta?.content) yield { type: "text", text: delta.content };
    for (const call of delta?.tool_calls ?? []) {
      // Only a call's first delta has its id; the rest of its arguments follow under its index.
      if (call.id) toolCallIds[call.index] = call.id;
      const id = toolCallIds[call.index];
      if (id === undefined) continue;
      if (call.id) yield { type: "tool_call", id, name: call.function?.name ?? "" };
      if (call.function?.arguments) yield { type: "tool_args", id, delta: call.function.arguments };
    }
    if (chunk.interrupts?.length) yield { type: "interrupt" };
    if (chunk.usage) yield { type: "usage", usage: chunk.usage };
  }
}
