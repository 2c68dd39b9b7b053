/**
 * Chat clients resend the whole conversation with every request; a thread already
 * holds part of it. `lineUpHistory` finds how much of the client's history the thread's
 * messages account for, so only the rest reaches the graph.
 *
 * The client's own messages (user, system, and tool results for tool calls it was sent)
 * must match the thread's: role, content and tool call id, with two exceptions chat UIs
 * need (Open WebUI makes both every turn). A system message matches a system message in
 * its place whatever it says (a system prompt with the time or the user's memories in
 * it changes each turn): the alignment lists it as changed, and the thread takes the new
 * one. A user message the thread holds with RAG context around it (`context + "\n" +
 * text`, as Open WebUI sends its newest message; `<source>` entries in the context)
 * matches the same text resent without it: the thread keeps the context. Everything else in
 * the thread (AI messages, tool calls and results the graph ran itself) is the graph's
 * answer, which the client holds as one assistant message per turn: the text we
 * rendered, with an interrupt's question after it, and without the text of nodes the
 * model's `stream` settings hide. An AI message belongs to a client's assistant message
 * when its text is part of that message's text, or its tool calls are that message's.
 * A turn that stopped at `interrupt()` continues after the user's answer, which the
 * thread's messages do not hold: in the client's history, the turn is an assistant
 * message (ending in the question), the user's answer, and the assistant message that
 * holds the rest of the turn.
 */
import type { AIMessage, BaseMessage, ToolMessage } from "@langchain/core/messages";
import { interruptText } from "../run/interrupt-text.js";
import type { Interrupt } from "../run/events.js";
import { textOf } from "../run/message-text.js";
import { containsText } from "../text-search.js";

export function normalizeText(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

const THINK_OPEN = "<think>";
const THINK_CLOSE = "</think>";

/**
 * The answer in an assistant message as a chat UI sends it back, without the reasoning
 * the UI showed before it: NextChat quotes `reasoning_content` as `> ` paragraphs ahead of
 * the answer, and a model rendered with `<think>` tags gets its block back. The thread
 * never held either, as they are not the answer's text.
 */
export function withoutEchoedReasoning(text: string): string {
  // Positions, not slices: a text of many quoted paragraphs is read once.
  let at = skipSpace(text, 0);
  for (;;) {
    if (text.startsWith(THINK_OPEN, at)) {
      const close = text.indexOf(THINK_CLOSE, at);
      if (close < 0) return "";
      at = skipSpace(text, close + THINK_CLOSE.length);
    } else if (text.startsWith(">", at)) {
      PARAGRAPH_BREAK.lastIndex = at;
      const found = PARAGRAPH_BREAK.exec(text);
      if (!found) return "";
      at = skipSpace(text, found.index);
    } else {
      return text.slice(at);
    }
  }
}

const PARAGRAPH_BREAK = /\n\s*\n/g;

function skipSpace(text: string, from: number): number {
  let at = from;
  while (at < text.length && /\s/.test(text[at]!)) at += 1;
  return at;
}

/**
 * Text-only content compares as its text: Open WebUI sends its newest message as a text
 * part (to carry a `cache_control` marker) and resends it as a plain string next turn.
 */
function contentKey(message: BaseMessage): string {
  const { content } = message;
  if (typeof content === "string") return content;
  const textOnly = content.every((part) => part.type === "text");
  return textOnly ? content.map((part) => (part as { text: string }).text).join("\n") : JSON.stringify(content);
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

/** Open WebUI's RAG context: its template filled with `<source id="1" name="...">text</source>` entries. */
const RAG_SOURCE = /<source\b[^<>]*>/;

/** The same text, or the text the client resends without the RAG context the thread holds it with. */
function sameText(thread: string, client: string): boolean {
  if (thread === client) return true;
  if (thread.length <= client.length + 1) return false;
  if (thread.endsWith(`\n${client}`)) return RAG_SOURCE.test(thread.slice(0, thread.length - client.length - 1));
  if (thread.startsWith(`${client}\n`)) return RAG_SOURCE.test(thread.slice(client.length + 1));
  return false;
}

function sameUserContent(thread: BaseMessage, client: BaseMessage): boolean {
  const threadKey = contentKey(thread);
  const clientKey = contentKey(client);
  if (threadKey === clientKey) return true;
  const { content: threadContent } = thread;
  const { content: clientContent } = client;
  if (typeof threadContent === "string" || typeof clientContent === "string") return sameText(threadKey, clientKey);
  // With images, Open WebUI puts the context in each text part.
  return (
    threadContent.length === clientContent.length &&
    threadContent.every((part, index) => {
      const other = clientContent[index]!;
      if (part.type === "text" && other.type === "text") return sameText((part as { text: string }).text, (other as { text: string }).text);
      return JSON.stringify(part) === JSON.stringify(other);
    })
  );
}

function sameInput(thread: BaseMessage, client: BaseMessage): boolean {
  const type = thread.getType();
  if (type !== client.getType()) return false;
  // A changed system prompt is the same message, replaced (see `Alignment.changed`); it needs the id that replaces it.
  if (type === "system") return thread.id !== undefined || contentKey(thread) === contentKey(client);
  if (type === "human") return sameUserContent(thread, client);
  return contentKey(thread) === contentKey(client) && (type !== "tool" || (thread as ToolMessage).tool_call_id === (client as ToolMessage).tool_call_id);
}

export interface Alignment {
  /** How many of the client's messages the thread's messages account for. */
  seen: number;
  /** Pairs of a thread's system message and the client's, where the client's now says something else. */
  changed: [thread: BaseMessage, client: BaseMessage][];
}

/**
 * Characters compared per character of the histories, beyond `MIN_COMPARED`: far above
 * what lining up a real history takes (each answer is read about once per turn), and it
 * bounds what a client's history can cost, say a long answer sent against a thread with
 * thousands of AI messages in one turn, none of them in it.
 */
const COMPARED_PER_CHARACTER = 4;
const MIN_COMPARED = 1 << 18;

/**
 * Whether AI messages of the thread belong to the client's assistant messages: when the
 * message's text is part of the answer's text, or its tool calls are the answer's. Every
 * text is normalised once, and the characters compared are counted: a history that would
 * take more than its budget is not lined up (as if it disagreed with the thread).
 */
function answerMatcher(thread: readonly BaseMessage[], client: readonly BaseMessage[]) {
  const aiText = (message: BaseMessage) => (message.getType() !== "ai" ? "" : normalizeText(textOf(message)));
  const threadTexts = thread.map(aiText);
  const clientTexts = client.map(aiText);
  const clientCalls = new Map<number, Set<string>>();
  const blanks = new Map<number, boolean>();
  const total = [...threadTexts, ...clientTexts].reduce((sum, text) => sum + text.length, 0);
  let budget = COMPARED_PER_CHARACTER * total + MIN_COMPARED;
  return {
    /** Whether the thread's message `i` is an AI message with text. */
    visible: (i: number) => threadTexts[i] !== "",
    /** Whether the client's assistant message `seen` has no text but the reasoning a chat UI echoes back. */
    blank(seen: number): boolean {
      let blank = blanks.get(seen);
      if (blank === undefined) blanks.set(seen, (blank = clientTexts[seen] === "" || normalizeText(withoutEchoedReasoning(client[seen]!.text)) === ""));
      return blank;
    },
    belongsTo(i: number, seen: number): boolean {
      if (thread[i]!.getType() !== "ai") return false;
      const text = threadTexts[i]!;
      if (text) {
        const answer = clientTexts[seen]!;
        if (text.length > answer.length) return false;
        budget -= answer.length + text.length;
        return budget >= 0 && containsText(answer, text);
      }
      const calls = toolCallIds(thread[i]!);
      let answerCalls = clientCalls.get(seen);
      if (!answerCalls) clientCalls.set(seen, (answerCalls = new Set(toolCallIds(client[seen]!))));
      return calls.length > 0 && calls.every((id) => answerCalls.has(id));
    },
  };
}

/** For each message of the thread that is not the client's input, where its turn ends: the next input, or the thread's end. */
function turnEnds(isInput: readonly boolean[]): Int32Array {
  const ends = new Int32Array(isInput.length);
  let next = isInput.length;
  for (let i = isInput.length - 1; i >= 0; i--) {
    ends[i] = next;
    if (isInput[i]) next = i;
  }
  return ends;
}

/**
 * How the thread's messages account for the client's, or undefined when the thread holds
 * something the client's history does not (an edited or regenerated message, or a client
 * that is behind the thread). `windowed`: the client may have left out the start of the
 * chat (NextChat sends its last 4 messages by default, LibreChat what fits its context),
 * so its history may line up with the end of the thread alone; its system prompt then
 * counts as seen, unchanged. Where a turn can be read two ways (hidden messages at its
 * end, or an interrupt's answer in its middle), the reading that accounts for more of the
 * client's history wins.
 *
 * A search over (thread index, client index) states with an explicit stack: a long
 * thread (an agent's tool calls add up) would overflow the call stack of a recursion.
 */
export function lineUpHistory(thread: readonly BaseMessage[], client: readonly BaseMessage[], options: { windowed?: boolean } = {}): Alignment | undefined {
  const clientCalls = clientToolCallIds(client);
  const isInput = thread.map((message) => isClientInput(message, clientCalls));
  const ends = turnEnds(isInput);
  const answers = answerMatcher(thread, client);
  // Whether a turn has visible text from each of its messages on.
  const visibleFrom = new Uint8Array(thread.length + 1);
  for (let i = thread.length - 1; i >= 0; i--) visibleFrom[i] = !isInput[i] && (answers.visible(i) || (ends[i]! > i + 1 && visibleFrom[i + 1] === 1)) ? 1 : 0;
  const width = client.length + 1;
  /** The state each visited state was reached from (-1 for the start), to read the chosen path back. */
  const cameFrom = new Map<number, number>();
  const pending: [i: number, seen: number, from: number][] = [[0, 0, -1]];
  if (options.windowed) {
    // The client's window may start anywhere in the thread, after its own system prompt (taken as seen).
    const start = client.findIndex((message) => message.getType() !== "system");
    if (start >= 0) for (let i = thread.length - 1; i > 0; i -= 1) if (thread[i]!.getType() !== "system") pending.push([i, start, -1]);
  }
  let best: number | undefined;

  while (pending.length > 0) {
    const [i, seen, from] = pending.pop()!;
    const key = i * width + seen;
    if (cameFrom.has(key)) continue;
    cameFrom.set(key, from);
    if (i === thread.length) {
      if (best === undefined || seen > best % width) best = key;
      continue;
    }
    const next = client[seen];
    if (!next) continue;
    if (isInput[i]) {
      if (sameInput(thread[i]!, next)) pending.push([i + 1, seen + 1, key]);
      continue;
    }
    if (next.getType() !== "ai") continue;
    const end = ends[i]!;
    let covered = end - 1;
    while (covered >= i && !answers.belongsTo(covered, seen)) covered -= 1;
    // The answer holds the whole turn (its last messages may come from hidden nodes).
    if (covered >= i || (visibleFrom[i] === 0 && answers.blank(seen))) pending.push([end, seen + 1, key]);
    // Or the turn stopped at an interrupt here, and goes on after the user's answer.
    const resumed = client[seen + 1]?.getType() === "human" && client[seen + 2]?.getType() === "ai";
    if (resumed && covered + 1 < end) pending.push([covered + 1, seen + 2, key]);
  }
  if (best === undefined) return undefined;
  const changed: Alignment["changed"] = [];
  for (let key = best, from = cameFrom.get(key)!; from >= 0; key = from, from = cameFrom.get(key)!) {
    const [i, seen] = [Math.floor(from / width), from % width];
    const [threadMessage, clientMessage] = [thread[i]!, client[seen]!];
    if (isInput[i] && threadMessage.getType() === "system" && contentKey(threadMessage) !== contentKey(clientMessage)) {
      changed.unshift([threadMessage, clientMessage]);
    }
  }
  return { seen: best % width, changed };
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
