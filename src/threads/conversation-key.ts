/**
 * Stateless clients (Open WebUI by default, NextChat) only resend the history. A run that
 * stops at `interrupt()` keeps its thread under a key derived from the model and the end
 * of the conversation: the message that led to the question and the answer we rendered
 * with it. The next request, minus its new user message, derives the same key and
 * resumes it. Deterministic, so it works across restarts and replicas; and only the end,
 * because UIs send a window of the chat (NextChat its last 4 messages by default,
 * LibreChat what fits its context), which moves on every turn.
 */
import { createHash } from "node:crypto";
import type { AIMessage, BaseMessage, ToolMessage } from "@langchain/core/messages";
import { normalizeText, withoutEchoedReasoning } from "./align.js";

/** The messages a key is made of: the question's own message and the answer that asked it. */
const KEYED_MESSAGES = 2;

function contentText(content: BaseMessage["content"], type: string): string {
  const clean = (text: string) => normalizeText(type === "ai" ? withoutEchoedReasoning(text) : text);
  if (typeof content === "string") return clean(content);
  return content.map((part) => (part.type === "text" ? clean((part as { text: string }).text) : JSON.stringify(part))).join("\n");
}

function fingerprint(message: BaseMessage): unknown[] {
  const type = message.getType();
  const calls = type === "ai" ? ((message as AIMessage).tool_calls ?? []).map((call) => call.id) : [];
  const callId = type === "tool" ? (message as ToolMessage).tool_call_id : null;
  return [type, contentText(message.content, type), calls, callId];
}

/**
 * An owner (`owner.ts`) is part of the hash: two tenants with the same words never share a
 * thread. System messages are left out: chat UIs rewrite them each turn (Open WebUI fills
 * in the time, NextChat adds its summary of the chat), which would lose the pending
 * question between the two requests. Two chats of one owner that end alike share the key:
 * the later question replaces the earlier one (see `session.ts`).
 */
export function conversationKey(model: string, messages: readonly BaseMessage[], owner?: string): string {
  const said = messages.filter((message) => message.getType() !== "system").slice(-KEYED_MESSAGES);
  const parts = [model, said.map(fingerprint), ...(owner === undefined ? [] : [owner])];
  const digest = createHash("sha256").update(JSON.stringify(parts)).digest("hex");
  return `conversation-${digest.slice(0, 40)}`;
}

/** The key a stateless request would find its interrupted thread under, if it answers one. */
export function resumableKey(model: string, messages: readonly BaseMessage[], owner?: string): string | undefined {
  if (messages.length < 3 || messages.at(-1)?.getType() !== "human" || messages.at(-2)?.getType() !== "ai") return undefined;
  return conversationKey(model, messages.slice(0, -1), owner);
}
