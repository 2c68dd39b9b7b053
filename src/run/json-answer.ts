/**
 * Whether an answer a client asked to be JSON is JSON. The server does not change the
 * answer (see the README's "response_format"): OpenAI returns its model's text as is,
 * and clients check it themselves. It only tells the operator that the graph did not
 * honour the request, which `bindChatRequest` would have passed to its model.
 */
import type { RunEvent } from "./events.js";

/** Whether `text` parses as JSON. */
export function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The events unchanged; once they have all passed, `onNotJson` hears of a text answer that does not parse. */
export async function* noticeNonJsonAnswer(events: AsyncIterable<RunEvent>, onNotJson: (text: string) => void): AsyncGenerator<RunEvent> {
  let text = "";
  let answeredOtherwise = false;
  for await (const event of events) {
    if (event.type === "text") text += event.text;
    // A tool call or an interrupt's question is not the answer the format was for.
    else if (event.type === "tool_calls" || event.type === "interrupt") answeredOtherwise = true;
    yield event;
  }
  if (!answeredOtherwise && !isJsonText(text)) onNotJson(text);
}
