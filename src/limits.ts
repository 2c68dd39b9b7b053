/**
 * What one request or one thread may cost. A thread's every turn loads its whole state
 * and saves it again after each step (LangGraph keeps no deltas), all on the event loop:
 * about 0.1 ms per message per turn, so a thread of 100,000 messages stalls every other
 * request for seconds and writes its history to the database again and again. The
 * defaults sit far above what a chat or an agent with a long tool-call history sends,
 * and far below what a model could read.
 */
import { InvalidRequestError } from "./errors.js";
import { formatSize } from "./size.js";
import type { BaseMessage } from "@langchain/core/messages";

export interface CostLimits {
  /** Messages (or input items) in one request. */
  maxMessages: number;
  /** Messages a thread may hold once a request's input is added. */
  maxThreadMessages: number;
  /** The size of a thread's messages (their content and tool calls, in characters as JSON) once a request's input is added. */
  maxThreadSize: number;
}

export const DEFAULT_COST_LIMITS: CostLimits = {
  maxMessages: 2000,
  maxThreadMessages: 4000,
  // Above the default body limit (10 MiB), which bounds a history a client resends.
  maxThreadSize: 16 * 1024 * 1024,
};

/**
 * Refuses an array of the raw request body over `max` items, before validation and
 * conversion walk it, in OpenAI's words for an array too long.
 */
export function refuseLongArray(body: unknown, param: string, max: number): void {
  const value = typeof body === "object" && body !== null ? (body as Record<string, unknown>)[param] : undefined;
  if (Array.isArray(value) && value.length > max) {
    throw new InvalidRequestError(
      `Invalid '${param}': array too long. Expected an array with maximum length ${max}, but got an array with length ${value.length} instead.`,
      param,
      "array_above_max_length",
    );
  }
}

function messageSize(message: BaseMessage): number {
  const { content } = message;
  const contentSize = typeof content === "string" ? content.length : JSON.stringify(content).length;
  const toolCalls = (message as { tool_calls?: unknown[] }).tool_calls;
  return contentSize + (toolCalls?.length ? JSON.stringify(toolCalls).length : 0);
}

/**
 * Refuses a run that would leave its thread over the limits: the thread's messages
 * (where the run starts from) and the request's input. OpenAI's code for a conversation
 * too long for the model, which agents answer by compacting their history.
 */
export function refuseThreadGrowth(held: readonly BaseMessage[], added: readonly BaseMessage[], limits: CostLimits): void {
  const count = held.length + added.length;
  if (count > limits.maxThreadMessages) {
    throw new InvalidRequestError(
      `This conversation would hold ${count} messages, over this server's limit of ${limits.maxThreadMessages} per conversation. Start a new conversation, or send a shorter history.`,
      "messages",
      "context_length_exceeded",
    );
  }
  let size = 0;
  for (const messages of [held, added]) for (const message of messages) size += messageSize(message);
  if (size > limits.maxThreadSize) {
    throw new InvalidRequestError(
      `This conversation would hold ${formatSize(size)} of messages, over this server's limit of ${formatSize(limits.maxThreadSize)} per conversation. Start a new conversation, or send a shorter history.`,
      "messages",
      "context_length_exceeded",
    );
  }
}
