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

/**
 * Something the agent does on the way to its answer, for a person to follow (issue 12):
 * chat completions show it as `reasoning_content`, the Responses API as a reasoning item,
 * each as the one line `describeStep` writes.
 */
export type Step =
  /** A graph node started (shown only where the model's settings ask for node names). */
  | { kind: "node"; name: string }
  /** The graph runs one of its own tools. */
  | { kind: "tool_call"; id: string; name: string; args: unknown }
  /** That tool's result, or its failure; `messageId` is the id of the ToolMessage the thread keeps it in. */
  | { kind: "tool_result"; id: string; name: string; output: string; failed: boolean; messageId?: string }
  /** Progress a graph writes itself (LangGraph's `custom` stream mode, `config.writer`). */
  | { kind: "progress"; text: string };

/**
 * A document the run drew on, to cite: a retriever's result, a document a tool returns as
 * its artifact, or documents a node returns in its state.
 */
export interface Citation {
  title: string;
  /** Where the document lives, when it is on the web. */
  url?: string;
  /** Its text, as the graph had it. */
  text?: string;
}

/** A tool call left to the client; its id is always set (minted by the run when the model gave none). */
export type ClientToolCall = ToolCall & { id: string };

export type RunEvent =
  /**
   * The run waits for an earlier run on its thread to finish. Sent first, and only to a
   * caller that asked to hear where the run stands (`announce` in request-run.ts).
   */
  | { type: "queued" }
  /** The graph starts running, before it says anything; only to a caller that asked (`announce`). */
  | { type: "started" }
  /**
   * Text for the user: a model token, a message a node returned without a model, or an
   * interrupt's question (`question`, then followed by its `interrupt` event, which says
   * it again). `messageId` names the message the text is part of, as the thread keeps it
   * (a model call's message, a returned message's own id, or one minted for a message
   * that has none); the paragraph break between two messages and the question have none.
   */
  | { type: "text"; text: string; messageId?: string; question?: true }
  /** A model's own reasoning (its thinking), as it streams; never part of the answer's text. `messageId` as for text. */
  | { type: "reasoning"; text: string; messageId?: string }
  /** A step of the agent's (see `Step`). */
  | { type: "step"; step: Step }
  /** A graph node ended (or failed); sent for the nodes whose start was a `node` step. */
  | { type: "node_finished"; name: string }
  /** A document the run drew on; each is sent once. */
  | { type: "citation"; citation: Citation }
  /** The run ended on an AI message whose tool calls the graph did not run: the client's to run. `messageId` is that message's. */
  | { type: "tool_calls"; toolCalls: ClientToolCall[]; messageId?: string }
  /** The answer stopped at the model's token limit: OpenAI's `finish_reason: "length"`. */
  | { type: "truncated" }
  /** The graph stopped at `interrupt()` and waits for the user's next message. */
  | { type: "interrupt"; interrupts: Interrupt[] }
  /**
   * State keys a node of the graph itself (not of a subgraph) set, as it ended, where the
   * value written is the value the key will hold (a channel without a reducer): the state
   * as it will be after the node's step, for those keys. Not sent for messages.
   */
  | { type: "state_changed"; values: Record<string, unknown> }
  /**
   * The graph's values (its output channels) the run ended on, with LangChain's messages
   * as they are; sent once, before `usage`, by a run that did not fail.
   */
  | { type: "values"; values: Record<string, unknown> }
  /** Sent last: the sum over every model call of the run. */
  | { type: "usage"; usage: Usage };

export const noUsage = (): Usage => ({ input_tokens: 0, output_tokens: 0, total_tokens: 0 });

/** Whether the run says something in this event (the first such is its first token), rather than news about the run. */
export function isOutput(event: RunEvent): boolean {
  switch (event.type) {
    case "text":
    case "reasoning":
    case "step":
    case "tool_calls":
      return true;
    default:
      return false;
  }
}
