/**
 * What one graph run tells the renderer. `run.ts` produces these; `render.ts` turns
 * them into chunks, and the non-streamed answer is the fold of those same chunks.
 */
import type { Interrupt, ToolCall, Usage } from "./openai/schemas.ts";

export type RunEvent =
  /** Text for the user: a model token, or a message a node returned without a model. */
  | { type: "text"; text: string }
  /** The run ended on an AI message whose tool calls the graph did not run: the client's to run. */
  | { type: "tool_calls"; toolCalls: ToolCall[] }
  /** The answer stopped at the model's token limit: OpenAI's `finish_reason: "length"`. */
  | { type: "truncated" }
  /** The graph stopped at `interrupt()` and waits for the user's next message. */
  | { type: "interrupt"; interrupts: Interrupt[] }
  /** Sent last: the sum over every model call of the run. */
  | { type: "usage"; usage: Usage };
