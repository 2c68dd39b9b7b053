/**
 * What a step is made of, from what LangChain's callbacks and LangGraph's writer pass: a
 * tool's arguments and result, and the line a node's custom write reads as.
 */
import { isBaseMessage } from "@langchain/core/messages";
import { isCommand } from "@langchain/langgraph";

/** A tool's input as the callbacks pass it (its arguments as JSON), back as a value. */
export function toolArguments(input: string): unknown {
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
}

/** The text of what a tool returned: a ToolMessage, a Command holding one, or any value. */
export function toolOutputText(output: unknown): string {
  if (isBaseMessage(output)) return output.text;
  if (isCommand(output)) {
    const messages = (output.update as { messages?: unknown } | undefined)?.messages;
    const message = Array.isArray(messages) ? messages.find(isBaseMessage) : undefined;
    return message?.text ?? "";
  }
  if (typeof output === "string") return output;
  return output === undefined ? "" : JSON.stringify(output) ?? "";
}

/** Keys under which a graph's `config.writer({ ... })` usually puts its line (LangGraph's docs use `data`). */
const PROGRESS_KEYS = ["message", "text", "status", "progress", "description", "data", "content"];

/** The line a custom write reads as, if it is text a person can read: a string, or an object holding one. */
export function progressText(chunk: unknown): string | undefined {
  if (typeof chunk === "string") return chunk.trim() || undefined;
  if (chunk === null || typeof chunk !== "object") return undefined;
  for (const key of PROGRESS_KEYS) {
    const value = (chunk as Record<string, unknown>)[key];
    if (typeof value === "string" && value.trim()) return value.trim();
  }
  return undefined;
}
