/**
 * Stateless clients (Open WebUI by default) only resend the history. A run that stops at
 * `interrupt()` keeps its thread under a key derived from the model and the conversation
 * including the answer we rendered; the next request, minus its new user message, derives
 * the same key and resumes it. Deterministic, so it works across restarts and replicas.
 */
import { createHash } from "node:crypto";
import type { ChatMessage } from "../openai/schemas.ts";
import { normalizeText } from "./align.ts";

function contentText(content: ChatMessage["content"]): string {
  if (content == null) return "";
  if (typeof content === "string") return normalizeText(content);
  return content.map((part) => (part.type === "text" ? normalizeText(part.text) : JSON.stringify(part))).join("\n");
}

function fingerprint(message: ChatMessage): unknown[] {
  const role = message.role === "developer" ? "system" : message.role;
  const calls = message.role === "assistant" ? (message.tool_calls ?? []).map((call) => call.id) : [];
  const callId = message.role === "tool" ? message.tool_call_id : null;
  return [role, contentText(message.content), calls, callId];
}

export function conversationKey(model: string, messages: readonly ChatMessage[]): string {
  const digest = createHash("sha256").update(JSON.stringify([model, messages.map(fingerprint)])).digest("hex");
  return `conversation-${digest.slice(0, 40)}`;
}

/** The key a stateless request would find its interrupted thread under, if it answers one. */
export function resumableKey(model: string, messages: readonly ChatMessage[]): string | undefined {
  if (messages.length < 3 || messages.at(-1)?.role !== "user" || messages.at(-2)?.role !== "assistant") return undefined;
  return conversationKey(model, messages.slice(0, -1));
}
