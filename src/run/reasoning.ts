/**
 * A model's own reasoning in a LangChain message, as the providers' integrations put it:
 * reasoning content blocks (`{ type: "reasoning", reasoning }`, LangChain's standard
 * block, which ChatOpenAI's Responses API and Google's models use), Anthropic's
 * `{ type: "thinking", thinking }` blocks, and `additional_kwargs.reasoning_content`
 * (ChatOpenAI and ChatDeepSeek against DeepSeek, vLLM, Ollama and other OpenAI-compatible
 * servers). A message's `text` never holds any of it.
 */
import type { BaseMessage } from "@langchain/core/messages";

export function reasoningOf(message: BaseMessage): string {
  // Read on every token: the common case (a plain string, no reasoning) costs two property reads.
  const kwargs = message.additional_kwargs?.reasoning_content;
  const { content } = message;
  if (typeof content === "string") return typeof kwargs === "string" ? kwargs : "";
  let text = typeof kwargs === "string" ? kwargs : "";
  for (const block of content) {
    if (block.type === "reasoning" && typeof block.reasoning === "string") text += block.reasoning;
    else if (block.type === "thinking" && typeof block.thinking === "string") text += block.thinking;
  }
  return text;
}
