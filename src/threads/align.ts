/**
 * Chat clients resend the whole conversation with every request; a thread already
 * holds part of it. `alignHistory` finds how much of the client's history the thread's
 * messages account for, so only the rest reaches the graph.
 *
 * The client's own messages (user, system, and tool results for tool calls it was sent)
 * must match the thread's exactly: role, content and tool call id. Everything else in
 * the thread (AI messages, tool calls and results the graph ran itself) is the graph's
 * answer, which the client holds as one assistant message per turn: the text we
 * rendered, possibly with an interrupt's question after it and without the text of
 * nodes the model's `stream` settings hide. So an answer matches when its tool call ids
 * are the graph's, and its text is the joined text of the turn or contains one of its
 * AI messages' texts.
 */
import type { AIMessage, BaseMessage, ToolMessage } from "@langchain/core/messages";
import { interruptText } from "../render.ts";
import type { Interrupt } from "../openai/schemas.ts";

export function normalizeText(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function contentKey(message: BaseMessage): string {
  return typeof message.content === "string" ? message.content : JSON.stringify(message.content);
}

function toolCallIds(message: BaseMessage): string[] {
  if (message.getType() !== "ai") return [];
  return ((message as AIMessage).tool_calls ?? []).flatMap((call) => (call.id ? [call.id] : []));
}

/** Tool calls the client saw: those of the assistant messages it sends back. */
function clientToolCallIds(client: readonly BaseMessage[]): Set<string> {
  return new Set(client.flatMap(toolCallIds));
}

function isClientInput(message: BaseMessage, clientCalls: ReadonlySet<string>): boolean {
  const type = message.getType();
  if (type === "human" || type === "system") return true;
  return type === "tool" && clientCalls.has((message as ToolMessage).tool_call_id);
}

function sameInput(thread: BaseMessage, client: BaseMessage): boolean {
  if (thread.getType() !== client.getType() || contentKey(thread) !== contentKey(client)) return false;
  return thread.getType() !== "tool" || (thread as ToolMessage).tool_call_id === (client as ToolMessage).tool_call_id;
}

function answerMatches(turn: readonly BaseMessage[], answer: BaseMessage): boolean {
  const graphCalls = new Set(turn.flatMap(toolCallIds));
  const answerCalls = toolCallIds(answer);
  if (!answerCalls.every((id) => graphCalls.has(id))) return false;
  const texts = turn.filter((message) => message.getType() === "ai").map((message) => normalizeText(message.text)).filter(Boolean);
  const text = normalizeText(answer.text);
  if (texts.length === 0) return text === "" || answerCalls.length > 0;
  return text === texts.join(" ") || texts.some((part) => text.includes(part));
}

/**
 * How many of the client's messages the thread's messages account for, or undefined
 * when the thread holds something the client's history does not (an edited or
 * regenerated message, or a client that is behind the thread).
 */
export function alignHistory(thread: readonly BaseMessage[], client: readonly BaseMessage[]): number | undefined {
  const clientCalls = clientToolCallIds(client);
  let seen = 0;
  for (let i = 0; i < thread.length; ) {
    const next = client[seen];
    if (!next) return undefined;
    if (isClientInput(thread[i]!, clientCalls)) {
      if (!sameInput(thread[i]!, next)) return undefined;
      i += 1;
    } else {
      let end = i;
      while (end < thread.length && !isClientInput(thread[end]!, clientCalls)) end += 1;
      if (next.getType() !== "ai" || !answerMatches(thread.slice(i, end), next)) return undefined;
      i = end;
    }
    seen += 1;
  }
  return seen;
}

/**
 * The user's answer to a pending interrupt: the new messages are the user's reply,
 * after the assistant message that showed the question (which a client may leave out).
 */
export function interruptAnswer(rest: readonly BaseMessage[], interrupts: readonly Interrupt[]): BaseMessage | undefined {
  const answer = rest.at(-1);
  if (!answer || answer.getType() !== "human") return undefined;
  if (rest.length === 1) return answer;
  const question = rest[0]!;
  const asked = normalizeText(interruptText(interrupts));
  if (rest.length === 2 && question.getType() === "ai" && normalizeText(question.text).endsWith(asked)) return answer;
  return undefined;
}
