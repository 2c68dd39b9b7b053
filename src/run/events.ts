/**
 * What one graph run tells a protocol, in neutral terms (LangChain's tool calls and
 * usage, not a wire format's). `run.ts` produces these; each protocol under
 * `src/protocols/` renders them, and its non-streamed answer is the fold of the same
 * rendering, so the two can never disagree.
 */
import type { ToolCall } from "@langchain/core/messages";

/** What a graph stopped at `interrupt(value)` asks. */
export interface Interrupt {
  id?: string;
  value: unknown;
}

/** Tokens summed over every model call of a run, in LangChain's `usage_metadata` terms. */
export interface Usage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
}

/** A tool call left to the client; its id is always set (minted by the run when the model gave none). */
export type ClientToolCall = ToolCall & { id: string };

export type RunEvent =
  /**
   * Text for the user: a model token, a message a node returned without a model, or an
   * interrupt's question (then followed by its `interrupt` event).
   */
  | { type: "text"; text: string }
  /** The run ended on an AI message whose tool calls the graph did not run: the client's to run. */
  | { type: "tool_calls"; toolCalls: ClientToolCall[] }
  /** The answer stopped at the model's token limit: OpenAI's `finish_reason: "length"`. */
  | { type: "truncated" }
  /** The graph stopped at `interrupt()` and waits for the user's next message. */
  | { type: "interrupt"; interrupts: Interrupt[] }
  /** Sent last: the sum over every model call of the run. */
  | { type: "usage"; usage: Usage };

export const noUsage = (): Usage => ({ input_tokens: 0, output_tokens: 0, total_tokens: 0 });
