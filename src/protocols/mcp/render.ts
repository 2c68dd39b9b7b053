/**
 * A run's events as a tool's result: the answer's text (an interrupt's question is part
 * of it), whether the run stopped at an interrupt, and each step as a progress line for
 * a client that asked for progress. The tool answers once, so rendering is a fold.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { describeStep } from "../../run/describe-step.js";
import type { RunEvent } from "../../run/events.js";
import type { ToolResult } from "./schemas.js";

export interface FoldedAnswer {
  answer: string;
  interrupted: boolean;
}

/** The answer the events make; `onStep` hears each step's line as it happens. */
export async function foldToolAnswer(events: AsyncIterable<RunEvent>, onStep?: (line: string) => Promise<void>): Promise<FoldedAnswer> {
  let answer = "";
  let interrupted = false;
  for await (const event of events) {
    if (event.type === "text") answer += event.text;
    else if (event.type === "interrupt") interrupted = true;
    else if (event.type === "step" && onStep) await onStep(describeStep(event.step));
  }
  return { answer, interrupted };
}

/** The answer as text for any client, and as `structuredContent` for one that reads the output schema. */
export function toolResult({ answer, interrupted }: FoldedAnswer, threadId: string): CallToolResult {
  const structured: ToolResult = { answer, thread_id: threadId, ...(interrupted && { interrupted }) };
  return { content: [{ type: "text", text: answer }], structuredContent: structured };
}

/** A run that failed: the model's failure for the calling model to read, not a protocol error. */
export function toolFailure(message: string): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}
