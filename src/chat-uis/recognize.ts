/**
 * Which background request of the catalogue (or of the operator's own patterns) a chat
 * completion is, if any, and what it is about: the chat's questions, as the request sends
 * them (the history before a `last_user` prompt) or quotes them in its prompt.
 */
import type { BaseMessage } from "@langchain/core/messages";
import type { z } from "zod";
import type { taskPatternSchema } from "../config.js";
import { CATALOGUE, type BackgroundKind, type BackgroundRequest } from "./catalogue.js";

export type TaskPattern = z.infer<typeof taskPatternSchema>;

export interface RecognizedRequest {
  kind: BackgroundKind;
  /** What the catalogue or the operator says to answer, if fixed. */
  reply?: string;
  /** The chat's user questions, oldest first. */
  questions: string[];
  /** For a translation: the text to translate. */
  text: string;
}

/** Prompts are the client's: only their start is read, so a long chat costs nothing here. */
const PROMPT_READ_LENGTH = 20_000;

function comparable(text: string): string {
  return text.slice(0, PROMPT_READ_LENGTH).replace(/\s+/g, " ").toLowerCase();
}

/** Each message's text as fingerprints are compared with it, made once per request however many entries look. */
function comparer(): (message: BaseMessage | undefined, fingerprint: string) => boolean {
  const texts = new Map<BaseMessage, string>();
  return (message, fingerprint) => {
    if (message === undefined) return false;
    let text = texts.get(message);
    if (text === undefined) texts.set(message, (text = comparable(message.text)));
    return text.includes(comparable(fingerprint));
  };
}

type Found = ReturnType<typeof comparer>;

/** The message that holds the entry's prompt, if the request has the entry's shape. */
function promptMessage(messages: readonly BaseMessage[], entry: Pick<BackgroundRequest, "fingerprint" | "place">, found: Found): BaseMessage | undefined {
  const last = messages.at(-1);
  if (entry.place === "last_user") return last?.getType() === "human" && found(last, entry.fingerprint) ? last : undefined;
  const system = messages.find((message) => message.getType() === "system" && found(message, entry.fingerprint));
  // A UI that sends its instructions as the only user message has the same shape, less a role.
  if (system === undefined && messages.length <= 2 && last?.getType() === "human" && found(last, entry.fingerprint)) return last;
  return system;
}

/** Horizontal space only: `\s` would let each line's start scan the lines after it. */
const QUOTED_USER_LINE = /^[ \t]*(?:[-*][ \t]*)?(?:user|you|human)[ \t]*:[ \t]*(.+)$/gim;
const USER_OPEN = "<user>";
const USER_CLOSE = "</user>";

/** LobeChat's `<chat_history>`: a `<user>...</user>` element per question, read in one pass. */
function userElements(text: string): string[] {
  const elements: string[] = [];
  for (let open = text.indexOf(USER_OPEN); open >= 0; ) {
    const close = text.indexOf(USER_CLOSE, open);
    if (close < 0) break;
    elements.push(text.slice(open + USER_OPEN.length, close).trim());
    open = text.indexOf(USER_OPEN, close);
  }
  return elements;
}
const CODE_BLOCK = /```[^\n]*\n([\s\S]*?)```/;
const QUOTED_AT_END = /"([^"]+)"\s*$/;

/** The user's questions a prompt quotes: `<user>` elements or `User:` lines, else the first entry of a code block, else a quotation at its end. */
export function quotedQuestions(prompt: string): string[] {
  const text = prompt.slice(0, PROMPT_READ_LENGTH);
  const elements = userElements(text);
  if (elements.length > 0) return elements;
  const lines = [...text.matchAll(QUOTED_USER_LINE)].map((match) => match[1]!.trim().replace(/^"(.*)"$/, "$1"));
  if (lines.length > 0) return lines;
  const block = CODE_BLOCK.exec(text)?.[1];
  const first = block?.split(/\n-{3,}\n/).find((entry) => entry.trim() !== "");
  if (first !== undefined) return [first.trim()];
  const quoted = QUOTED_AT_END.exec(text)?.[1];
  return quoted === undefined ? [] : [quoted.trim()];
}

const TRANSLATE_OPEN = "<translate_input>";
const TRANSLATE_CLOSE = "</translate_input>";

/** Cherry Studio's text to translate: in the element that closes (its prompt names the tag before it). */
function translateInput(text: string): string | undefined {
  const close = text.indexOf(TRANSLATE_CLOSE);
  const open = close < 0 ? -1 : text.lastIndexOf(TRANSLATE_OPEN, close);
  return open < 0 ? undefined : text.slice(open + TRANSLATE_OPEN.length, close).replace(/^\n/, "").replace(/\n$/, "");
}

function questionsOf(messages: readonly BaseMessage[], prompt: BaseMessage): string[] {
  const asked = messages.filter((message) => message !== prompt && message.getType() === "human" && message.text.trim() !== "").map((message) => message.text);
  if (prompt.getType() === "human") return asked.length > 0 ? asked : quotedQuestions(prompt.text);
  // A system prompt over a user message that quotes the chat, or is the text itself.
  const quoted = asked.flatMap(quotedQuestions);
  return quoted.length > 0 ? quoted : asked;
}

/**
 * The background request these messages are, or undefined for a chat's own message. The
 * operator's patterns are tried first, so one can change what a catalogue entry answers.
 */
export function recognizeBackgroundRequest(messages: readonly BaseMessage[], patterns: readonly TaskPattern[] = []): RecognizedRequest | undefined {
  const entries: Pick<BackgroundRequest, "kind" | "fingerprint" | "place" | "reply">[] = [
    ...patterns.map((pattern) => ({ ...pattern, place: pattern.place ?? ("last_user" as const) })),
    ...CATALOGUE,
  ];
  const found = comparer();
  for (const entry of entries) {
    const prompt = promptMessage(messages, entry, found);
    if (!prompt) continue;
    const questions = questionsOf(messages, prompt);
    const quotedInput = messages.map((message) => translateInput(message.text.slice(0, PROMPT_READ_LENGTH))).find((text) => text !== undefined);
    return { kind: entry.kind, ...(entry.reply !== undefined && { reply: entry.reply }), questions, text: quotedInput ?? questions.at(-1) ?? "" };
  }
  return undefined;
}
