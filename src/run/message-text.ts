import type { BaseMessage } from "@langchain/core/messages";

/**
 * A message's text, as `message.text`, which for string content is that string: read on
 * every token and over every message of a thread, where the getter builds and translates
 * content blocks (2% of the CPU of 1,000 paced streams).
 */
export function textOf(message: BaseMessage): string {
  return typeof message.content === "string" ? message.content : message.text;
}
